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
        var result = _mailApi.Extract(request, session.ServerName,
            new MailApiRequestContext(flow.Key.Client, flow.Key.Server, flow.Id, session.ServerName ?? request.Authority));
        if (result is null) return;
        flow.Keep(); // a call to a mail API: the next one on this connection matters too
        foreach (var message in result.Messages)
        {
            message.Tls ??= TlsMessageFacts.From(session.TlsInfo);
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
