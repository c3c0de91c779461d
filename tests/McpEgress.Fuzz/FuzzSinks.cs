using McpEgress.Capture;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Fuzz;

/// <summary>Receives every stage's output, keeps none of it, and checks the few invariants a caller relies on.</summary>
internal sealed class FuzzSinks : ITcpStreamHandler, ISmtpTransactionHandler, ITlsSessionHandler, IHttpExchangeHandler,
    IDecryptionSecretsSink
{
    public long Bytes;
    public int Items;

    public void OnFlowOpened(TcpFlow flow) => Items++;
    public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        if (data.IsEmpty) throw new FuzzBugException("reassembler delivered an empty span");
        Bytes += data.Length;
    }
    public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (missingBytes <= 0) throw new FuzzBugException($"reassembler reported a gap of {missingBytes} bytes");
    }
    public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) => Items++;

    public void OnTransaction(SmtpTransaction transaction) => Items++;

    public void OnHandshakeComplete(TlsSessionInfo info) => Items++;
    public void OnPlaintext(FlowDirection direction, ReadOnlySpan<byte> plaintext) => Bytes += plaintext.Length;
    public void OnDecryptionFailed(FlowDirection direction, string reason) { }

    public void OnRequest(HttpRequestRecord request)
    {
        Items++;
        _ = request.RedactedTarget; // redaction runs on every logged request
    }

    public void OnSecrets(uint secretsType, ReadOnlySpan<byte> data) => Bytes += data.Length;
}
