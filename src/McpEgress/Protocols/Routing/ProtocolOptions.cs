namespace McpEgress.Protocols.Routing;

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

    /// <summary>
    /// Ciphertext kept, over all ended TLS flows, while their keys are still unknown (a key log line or pcapng
    /// Decryption Secrets Block may come later). Beyond it the oldest parked flow is reported opaque. Default 64 MiB.
    /// </summary>
    public long MaxParkedTlsBytes { get; set; } = 64L << 20;

    /// <summary>Most ended TLS flows parked at once waiting for keys. Default 4096.</summary>
    public int MaxParkedTlsSessions { get; set; } = 4096;

    /// <summary>How long (packet time) an ended TLS flow waits for its keys. Default 30 s.</summary>
    public TimeSpan ParkedTlsHold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Flow bypass (as in Suricata): a flow whose remaining bytes can no longer produce a message, an alert or a change
    /// to its TLS session event — TLS whose decryption is over for good (no key can come any more, or both directions
    /// stopped), or a flow no probe recognised — stops being reassembled and parsed; live capture drops its packets
    /// before the queue. Default true; false processes every byte (for comparing outputs).
    /// </summary>
    public bool FlowBypass { get; set; } = true;
}
