namespace McpEgress.KeyLogs;

/// <summary>
/// A key log file that others could read or tamper with, or that cannot be followed. <see cref="Code"/> is one of
/// <c>keylog_permissions_too_open</c>, <c>keylog_foreign_owner</c>, <c>keylog_directory_writable</c> (permissions), or
/// <c>keylog_unreadable</c>, <c>keylog_not_regular_file</c>, <c>keylog_line_too_long</c> (reading; each also an anomaly).
/// </summary>
public sealed record KeyLogWarning(string Path, string Code, string Message);
