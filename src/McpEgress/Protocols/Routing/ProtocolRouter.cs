using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// The protocol stage's entry point: receives ordered byte streams from the reassembler, finds each flow's protocol
/// by content (SMTP, TLS, HTTP — on any port) and runs the matching parsers, stacking TLS under SMTP (STARTTLS,
/// implicit TLS) and HTTP. Emits messages and TLS sessions; knows nothing of rules or output formats.
/// The layers work through an <see cref="ILayerContext"/> (<see cref="LayerContext"/>), TLS flows that wait for keys
/// in the <see cref="TlsParkingLot"/>; the router itself is the stage's way in (flows, time, end of input) and out
/// (what the layers report, as messages and records to the <see cref="IProtocolEventSink"/>).
/// </summary>
public sealed class ProtocolRouter : ITcpStreamHandler
{
    private readonly IProtocolEventSink _sink;
    private readonly MailApiExtractor _mailApi;
    private readonly LayerContext _layers;
    private readonly IAnomalySink _anomalies;

    public ProtocolRouter(ProtocolSettings settings, TlsKeyLog keyLog, IProtocolEventSink sink, IAnomalySink anomalies)
    {
        Settings = settings;
        KeyLog = keyLog;
        _sink = sink;
        _anomalies = anomalies;
        _mailApi = new MailApiExtractor(settings.MailApi, anomalies, settings.Imf);
        ParkedTls = new TlsParkingLot(settings.Protocol, keyLog, anomalies);
        _layers = new LayerContext(settings, keyLog, anomalies, Counters, ParkedTls, this);
    }

    public ProtocolSettings Settings { get; }
    public TlsKeyLog KeyLog { get; }

    /// <summary>Flows by protocol, messages, requests.</summary>
    public ProtocolCounters Counters { get; } = new();

    /// <summary>Ended TLS flows waiting for their keys.</summary>
    public TlsParkingLot ParkedTls { get; }

    /// <summary>Optional source of per-flow facts (the owning process) copied into the flow's events.</summary>
    public IFlowAnnotator? Annotator { get; set; }

    public void OnFlowOpened(TcpFlow flow)
    {
        var session = new FlowSession(flow);
        if (Annotator is { } annotator)
        {
            try { session.Process = annotator.Annotate(flow); }
            catch (Exception e) when (e is not OutOfMemoryException) { _anomalies.Report(AnomalyStage.Pipeline, PipelineAnomalies.AnnotatorError); }
        }
        session.Root = new ProbingLayer(_layers, session, allowTls: true, allowTunnel: true);
        flow.ProtocolState = session;
    }

    /// <summary>
    /// Facts about an open flow that arrived after it opened (an annotator that looks them up off the packet path):
    /// its later messages and its TLS session record carry them. Facts already set are kept.
    /// </summary>
    public void SetProcess(TcpFlow flow, ProcessFacts facts)
    {
        if (flow.ProtocolState is FlowSession session) session.Process ??= facts;
    }

    /// <summary>The flow carries mail: told to the annotator once (it may look the flow up first).</summary>
    internal void ReportMailFlow(FlowSession session)
    {
        if (session.MailFlow || Annotator is not { } annotator) return;
        session.MailFlow = true;
        try { annotator.OnMailFlow(session.Flow); }
        catch (Exception e) when (e is not OutOfMemoryException) { _anomalies.Report(AnomalyStage.Pipeline, PipelineAnomalies.AnnotatorError); }
    }

    public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        var session = Session(flow);
        session.CurrentTimestampNs = timestampNs;
        session.Root.OnData(direction, data, timestampNs);
        if (!session.SummaryOpened && (SummaryServerName(session) is not null || session.HttpHost is not null))
            EmitFlowSummary(session, closed: false, timestampNs);
    }

    public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) =>
        Session(flow).Root.OnGap(direction, missingBytes, timestampNs);

    public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs)
    {
        var session = Session(flow);
        session.Root.OnClose(timestampNs);
        flow.ProtocolState = null;
        EmitFlowSummary(session, closed: true, timestampNs);
    }

    /// <summary>The SNI: the session's once the handshake completed, else the ClientHello's (an opaque flow's too).</summary>
    private static string? SummaryServerName(FlowSession session) => session.ServerName ?? session.TlsInfo?.ServerName;

    /// <summary>The flow's summary (see <see cref="FlowSummaryRecord"/>): once when its destination is named, once at its end.</summary>
    private void EmitFlowSummary(FlowSession session, bool closed, long timestampNs)
    {
        var flow = session.Flow;
        bool opened = session.SummaryOpened;
        session.SummaryOpened = true;
        int c2s = (int)FlowDirection.ClientToServer, s2c = (int)FlowDirection.ServerToClient;
        _sink.OnFlowSummary(new FlowSummaryRecord
        {
            FlowId = flow.Id,
            Key = flow.Key,
            StartTimestampNs = flow.FirstSeenNs,
            EndTimestampNs = timestampNs,
            Closed = closed,
            ReportedOpen = closed && opened,
            ServerName = SummaryServerName(session),
            HttpHost = session.HttpHost,
            BytesOut = flow.DeliveredBytes[c2s] + flow.GapBytes[c2s],
            BytesIn = flow.DeliveredBytes[s2c] + flow.GapBytes[s2c],
            Process = session.Process,
            Tunnel = session.Tunnel,
        });
    }

    private FlowSession Session(TcpFlow flow)
    {
        if (flow.ProtocolState is FlowSession s) return s;
        OnFlowOpened(flow);
        return (FlowSession)flow.ProtocolState!;
    }

    /// <summary>
    /// Time passes (every packet, and idle ticks): parked TLS flows get another try after the key log changed, or
    /// give up after their hold.
    /// </summary>
    public void Service(long nowNs) => ParkedTls.Service(nowNs);

    /// <summary>End of input: last try for parked flows, then report the rest opaque.</summary>
    public void Finish() => ParkedTls.Finish();

    internal void EmitSmtpTransaction(FlowSession session, SmtpTransaction transaction, string? bannerHost)
    {
        var message = SmtpMailMessageFactory.Create(transaction, session, bannerHost,
            Settings.Imf, _anomalies);
        Annotate(message, session);
        Counters.Messages++;
        _sink.OnMessage(message);
    }

    internal void EmitHttpRequest(FlowSession session, HttpRequestRecord request)
    {
        Counters.HttpRequests++;
        var flow = session.Flow;
        session.HttpHost ??= request.Authority ?? request.GetHeader("host");
        // The flow's context serves its next request too while the name is the same (an immutable record).
        string? contextName = session.ServerName ?? request.Authority;
        if (session.MailApiContext is not { } context || !string.Equals(context.ServerName, contextName, StringComparison.Ordinal))
            session.MailApiContext = context = new MailApiRequestContext(flow.Key.Client, flow.Key.Server, flow.Id, contextName);
        var result = _mailApi.Extract(request, session.ServerName, context);
        if (result is null) return;
        ReportMailFlow(session);
        flow.Keep(); // a call to a mail API: the next one on this connection matters too
        foreach (var message in result.Messages)
        {
            message.Tls ??= TlsMessageFacts.From(session.TlsInfo, ref session.LastTlsFacts);
            Annotate(message, session);
            Counters.Messages++;
            _sink.OnMessage(message);
        }
        if (result.Unknown is { } reason)
        {
            Counters.MailApiUnreadable++;
            string host = MailApiHosts.Normalize(session.ServerName ?? request.Authority ?? request.GetHeader("host") ?? "") ?? "";
            _sink.OnMailApiUnreadable(new MailApiUnreadableRecord
            {
                FlowId = flow.Id,
                TimestampNs = request.StartTimestampNs,
                Source = flow.Key.Client,
                Destination = flow.Key.Server,
                Provider = result.Provider,
                Endpoint = result.Endpoint,
                Reason = reason,
                ServerName = session.ServerName,
                Method = request.Method,
                Url = "https://" + host + request.RedactedTarget,
                HttpVersion = request.Version,
                ResponseStatus = request.ResponseStatus,
                Tunnel = session.Tunnel,
            });
        }
    }

    internal void EmitTlsSession(FlowSession session, TlsSessionInfo info, string? applicationProtocol, bool startTls,
        long endTimestampNs)
    {
        _sink.OnTlsSession(new TlsSessionRecord
        {
            FlowId = session.Flow.Id,
            Source = session.Flow.Key.Client,
            Destination = session.Flow.Key.Server,
            StartTimestampNs = session.Flow.FirstSeenNs,
            EndTimestampNs = endTimestampNs,
            Info = info,
            ApplicationProtocol = applicationProtocol,
            StartTls = startTls,
            Process = session.Process,
            Tunnel = session.Tunnel,
        });
    }

    private static void Annotate(MailMessage message, FlowSession session)
    {
        message.Process ??= session.Process;
        message.Tunnel ??= session.Tunnel;
    }
}
