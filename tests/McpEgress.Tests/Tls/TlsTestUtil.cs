using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tls;

internal static class TlsTestUtil
{
    /// <summary>Hex with any whitespace (RFC dump layout).</summary>
    public static byte[] Hex(string text) =>
        Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
}

/// <summary>Collects everything a session reports.</summary>
internal sealed class RecordingHandler : ITlsSessionHandler
{
    public readonly MemoryStream[] Plaintext = [new(), new()];
    public readonly List<(FlowDirection Direction, string Reason)> Failures = [];
    public int HandshakeCompleteCalls;
    public bool PlaintextBeforeHandshakeComplete;

    public void OnHandshakeComplete(TlsSessionInfo info) => HandshakeCompleteCalls++;

    public void OnPlaintext(FlowDirection direction, ReadOnlySpan<byte> plaintext)
    {
        if (HandshakeCompleteCalls == 0) PlaintextBeforeHandshakeComplete = true;
        Plaintext[(int)direction].Write(plaintext);
    }

    public void OnDecryptionFailed(FlowDirection direction, string reason) => Failures.Add((direction, reason));

    public byte[] Client => Plaintext[0].ToArray();
    public byte[] Server => Plaintext[1].ToArray();
}
