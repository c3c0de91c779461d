namespace McpEgress.Capture.Live;

/// <summary>
/// A live capture could not be opened or listed: unknown interface, missing permission (root or CAP_NET_RAW), a
/// filter libpcap rejects, or libpcap itself missing. The message is one line naming the interface or filter.
/// </summary>
public sealed class LiveCaptureException(string message, Exception? inner = null) : Exception(message, inner);
