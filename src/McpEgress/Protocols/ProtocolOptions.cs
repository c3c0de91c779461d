namespace McpEgress.Protocols;

/// <summary>Limits of the content-based protocol detection that runs on every new flow.</summary>
public sealed class ProtocolOptions
{
    /// <summary>
    /// Bytes per direction kept while the probes still answer "need more". 4 KiB holds any SMTP banner and EHLO
    /// and the first TLS record header; a flow undecided after that is left alone. Default 4096.
    /// </summary>
    public int MaxProbeBytesPerDirection { get; set; } = 4096;

    /// <summary>Whether plaintext inside decrypted TLS may itself be TLS again (never in practice). Default false.</summary>
    public bool AllowNestedTls { get; set; }
}
