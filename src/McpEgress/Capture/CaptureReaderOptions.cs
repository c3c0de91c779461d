namespace McpEgress.Capture;

/// <summary>
/// Limits for the file readers. Every limit is checked against a record's header before any byte of its body is
/// read, so a corrupt length field can never make the reader allocate or read more than these values.
/// </summary>
public sealed class CaptureReaderOptions
{
    /// <summary>
    /// Largest captured length accepted for one packet record. Default 256 KiB + 4 KiB: libpcap's and Wireshark's
    /// maximum snap length is 262144 bytes (256 KiB); the margin admits writers that round up. A larger record
    /// stops the reader with <see cref="ICaptureReader.Truncated"/> set (the length field is almost certainly corrupt
    /// and the rest of the file cannot be resynchronised).
    /// </summary>
    public int MaxRecordBytes { get; init; } = 256 * 1024 + 4 * 1024;

    /// <summary>
    /// Largest pcapng block other than a Decryption Secrets Block (packet data plus options). Default
    /// <see cref="MaxRecordBytes"/> + 64 KiB of options. Oversized packet blocks stop the reader; oversized blocks
    /// of other types are skipped without being buffered.
    /// </summary>
    public int MaxBlockBytes { get; init; } = 256 * 1024 + 4 * 1024 + 64 * 1024;

    /// <summary>
    /// Largest pcapng Decryption Secrets Block delivered to the secrets sink. Default 16 MiB (a whole TLS key log
    /// injected by <c>editcap --inject-secrets</c>). Larger blocks are skipped and reported.
    /// </summary>
    public int MaxSecretsBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most interfaces per pcapng section. Default 1024; further Interface Description Blocks are ignored.</summary>
    public int MaxInterfaces { get; init; } = 1024;

    /// <summary>Size of the read buffer in front of the file. Default 64 KiB.</summary>
    public int StreamBufferBytes { get; init; } = 64 * 1024;

    public static CaptureReaderOptions Default { get; } = new();
}
