using McpEgress.Reassembly;

namespace McpEgress.Protocols.Tls;

/// <summary>What a <see cref="TlsSession"/> reports. Spans are valid only during the call.</summary>
public interface ITlsSessionHandler
{
    /// <summary>
    /// Both Finished messages were decrypted, or application data is about to be delivered (whichever comes
    /// first). Called at most once, before the first <see cref="OnPlaintext"/>.
    /// </summary>
    void OnHandshakeComplete(TlsSessionInfo info);

    /// <summary>Authenticated application data of one direction, in order. Never called with unauthenticated bytes.</summary>
    void OnPlaintext(FlowDirection direction, ReadOnlySpan<byte> plaintext);

    /// <summary>This direction will deliver no more plaintext (bad tag/MAC, gap, unsupported feature, limit).</summary>
    void OnDecryptionFailed(FlowDirection direction, string reason);
}
