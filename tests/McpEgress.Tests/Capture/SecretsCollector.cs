using McpEgress.Capture;

namespace McpEgress.Tests.Capture;

internal sealed class SecretsCollector : IDecryptionSecretsSink
{
    public List<(uint Type, byte[] Data)> Received { get; } = new();
    public void OnSecrets(uint secretsType, ReadOnlySpan<byte> data) => Received.Add((secretsType, data.ToArray()));
}
