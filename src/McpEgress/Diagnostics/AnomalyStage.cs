namespace McpEgress.Diagnostics;

/// <summary>The bounded set of stage names used as the first half of an anomaly's identity.</summary>
public static class AnomalyStage
{
    public const string Capture = "capture";
    public const string Decode = "decode";
    public const string Reassembly = "reassembly";
    public const string Smtp = "smtp";
    public const string Imf = "imf";
    public const string Tls = "tls";
    public const string Http = "http";
    public const string MailApi = "mail_api";
    public const string Pipeline = "pipeline";
    /// <summary>Proxy tunnel handshakes (HTTP CONNECT, SOCKS).</summary>
    public const string Tunnel = "tunnel";
    /// <summary>Writing events out (a full disk: <c>events_dropped</c>).</summary>
    public const string Export = "export";
}
