namespace McpEgress.Host;

/// <summary>
/// A key log file that others could read or tamper with. <see cref="Code"/> is one of
/// <c>keylog_permissions_too_open</c>, <c>keylog_foreign_owner</c>, <c>keylog_directory_writable</c>.
/// </summary>
public sealed record KeyLogWarning(string Path, string Code, string Message);
