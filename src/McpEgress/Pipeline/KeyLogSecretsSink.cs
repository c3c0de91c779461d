using McpEgress.Capture;
using McpEgress.Protocols.Tls;

namespace McpEgress.Pipeline;

/// <summary>Feeds pcapng Decryption Secrets Blocks of type TLSK (an NSS key log) into the key log.</summary>
public sealed class KeyLogSecretsSink(TlsKeyLog keyLog) : IDecryptionSecretsSink
{
    /// <summary>"TLSK": secrets type of a TLS key log (pcapng spec, Decryption Secrets Block).</summary>
    public const uint TlsKeyLogType = 0x544c534b;

    public void OnSecrets(uint secretsType, ReadOnlySpan<byte> data)
    {
        if (secretsType == TlsKeyLogType) keyLog.AddBytes(data);
    }
}
