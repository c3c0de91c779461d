using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Protocols;

/// <summary>
/// The protocol stage's entry point: receives ordered byte streams from the reassembler, finds each flow's protocol
/// by content and runs the matching parsers. Emits <see cref="MailMessage"/>s; knows nothing of rules or output.
/// </summary>
public sealed class ProtocolRouter : ITcpStreamHandler
{
    private readonly IMailMessageSink _sink;

    public ProtocolRouter(ProtocolSettings settings, IMailMessageSink sink, IAnomalySink anomalies)
    {
        Settings = settings;
        _sink = sink;
        Anomalies = anomalies;
    }

    public ProtocolSettings Settings { get; }
    internal ProtocolOptions Options => Settings.Protocol;
    internal SmtpOptions SmtpOptions => Settings.Smtp;
    internal IAnomalySink Anomalies { get; }

    public long SmtpFlows { get; private set; }
    public long TlsFlows { get; private set; }
    public long UnidentifiedFlows { get; private set; }
    public long Messages { get; private set; }

    public void OnFlowOpened(TcpFlow flow)
    {
        var session = new FlowSession(flow);
        session.Root = new ProbingLayer(this, session, allowTls: true);
        flow.ProtocolState = session;
    }

    public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        var session = Session(flow);
        session.CurrentTimestampNs = timestampNs;
        session.Root.OnData(direction, data, timestampNs);
    }

    public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) =>
        Session(flow).Root.OnGap(direction, missingBytes, timestampNs);

    public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs)
    {
        Session(flow).Root.OnClose(timestampNs);
        flow.ProtocolState = null;
    }

    private FlowSession Session(TcpFlow flow)
    {
        if (flow.ProtocolState is FlowSession s) return s;
        OnFlowOpened(flow);
        return (FlowSession)flow.ProtocolState!;
    }

    /// <summary>Runs the content probes; on Match returns the layer that takes the flow over.</summary>
    internal IStreamLayer? Probe(FlowSession session, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, bool allowTls, out ProbeResult result)
    {
        var smtp = SmtpProbe.Probe(client, server);
        if (smtp == Smtp.ProbeResult.Match)
        {
            result = ProbeResult.Match;
            SmtpFlows++;
            return new SmtpLayer(this, session);
        }
        result = smtp == Smtp.ProbeResult.NeedMore ? ProbeResult.NeedMore : ProbeResult.NoMatch;
        return null;
    }

    internal IStreamLayer CreateTlsLayer(FlowSession session)
    {
        TlsFlows++;
        return new OpaqueLayer();
    }

    internal void CountUnidentified(FlowSession session) => UnidentifiedFlows++;

    internal void EmitSmtpTransaction(FlowSession session, SmtpSession smtp, SmtpTransaction transaction)
    {
        var message = SmtpMailMessageFactory.Create(transaction, session.Flow, session.ServerName, smtp.BannerHost,
            Settings.Imf, Anomalies);
        Messages++;
        _sink.OnMessage(message);
    }
}
