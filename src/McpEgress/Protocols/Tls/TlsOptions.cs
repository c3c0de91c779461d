namespace McpEgress.Protocols.Tls;

/// <summary>Limits of one <see cref="TlsSession"/>. All enforced before the bytes are parsed or buffered.</summary>
public sealed class TlsOptions
{
    /// <summary>
    /// Largest record body accepted. RFC 5246 §6.2.3 allows 2^14 + 2048 bytes of ciphertext (TLS 1.3: 2^14 + 256);
    /// a larger length means the stream is not TLS or framing was lost (anomaly <c>record_too_large</c>).
    /// Also the size of the per-direction record and plaintext buffers. Default 18 432.
    /// </summary>
    public int MaxRecordBytes { get; init; } = (1 << 14) + 2048;

    /// <summary>
    /// Ciphertext kept per direction while keys are unknown (or the ServerHello is not seen yet), so a key log
    /// that arrives late can still decrypt it (<see cref="TlsSession.TryDecryptPending"/>). Past it the buffered
    /// records are dropped (anomaly <c>pending_ciphertext_limit</c>) and the direction stays opaque. Default 4 MiB.
    /// </summary>
    public int MaxPendingCiphertextBytes { get; init; } = 4 << 20;

    /// <summary>
    /// Largest handshake message body kept for parsing (ClientHello, ServerHello, EncryptedExtensions, ...).
    /// Others (Certificate) are skipped without buffering. Larger interesting messages are skipped with anomaly
    /// <c>handshake_message_too_large</c>. Default 64 KiB.
    /// </summary>
    public int MaxHandshakeMessageBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// TLS 1.3 client records that fail both the early and the handshake keys are skipped as rejected 0-RTT
    /// data (RFC 8446 §4.2.10) at most this many times before the direction is declared failed. Default 64.
    /// </summary>
    public int MaxSkippedEarlyDataRecords { get; init; } = 64;
}
