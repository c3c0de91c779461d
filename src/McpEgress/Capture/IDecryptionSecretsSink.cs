namespace McpEgress.Capture;

/// <summary>
/// Receives pcapng Decryption Secrets Blocks (block type 0x0000000A). <paramref name="secretsType"/> is e.g.
/// 0x544c534b ("TLSK", an NSS key log). Secrets may arrive after the packets they unlock.
/// </summary>
public interface IDecryptionSecretsSink
{
    void OnSecrets(uint secretsType, ReadOnlySpan<byte> data);
}
