namespace McpEgress.Capture;

/// <summary>Thrown only when a file is opened that is not a capture at all (bad magic, unreadable header).</summary>
public sealed class CaptureFormatException(string message) : Exception(message);
