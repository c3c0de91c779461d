using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Protocols;

/// <summary>
/// The protocol stage's entry point: receives ordered byte streams from the reassembler, finds each flow's protocol
/// by content (SMTP, TLS, HTTP — on any port) and runs the matching parsers, stacking TLS under SMTP (STARTTLS,
/// implicit TLS) and HTTP. Emits messages and TLS sessions; knows nothing of rules or output formats.
/// </summary>
public sealed class ProtocolRouter : ITcpStreamHandler
{
    private readonly IProtocolEventSink _sink;
    private readonly MailApiExtractor _mailApi;
    private readonly LinkedList<(TlsLayer Layer, long Bytes)> _parked = new();
    private long _parkedBytes;
    private long _keyVersionSeen;

    public ProtocolRouter(ProtocolSettings settings, TlsKeyLog keyLog, IProtocolEventSink sink, IAnomalySink anomalies)
    {
        Settings = settings;
        KeyLog = keyLog;
        _sink = sink;
        Anomalies = anomalies;
        _keyVersionSeen = keyLog.Version;
        _mailApi = new MailApiExtractor(settings.MailApi, anomalies, settings.Imf);
    }

    public ProtocolSettings Settings { get; }
    public TlsKeyLog KeyLog { get; }
    internal ProtocolOptions Options => Settings.Protocol;
    internal SmtpOptions SmtpOptions => Settings.Smtp;
    internal IAnomalySink Anomalies { get; }

    public long SmtpFlows { get; private set; }
    public long TlsFlows { get; private set; }
    public long HttpFlows { get; private set; }
    public long UnidentifiedFlows { get; private set; }
    public long Messages { get; private set; }
    public long HttpRequests { get; private set; }
    public int ParkedTlsSessions => _parked.Count;
    public long ParkedTlsBytes => _parkedBytes;

    /// <summary>Optional source of per-flow facts (the owning process) copied into the flow's events.</summary>
    public IFlowAnnotator? Annotator { get; set; }

    public void OnFlowOpened(TcpFlow flow)
    {
        var session = new FlowSession(flow);
        if (Annotator is { } annotator)
        {
            try { session.Process = annotator.Annotate(flow); }
            catch (Exception e) when (e is not OutOfMemoryException) { Anomalies.Report(AnomalyStage.Pipeline, "annotator_error"); }
        }
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
    internal IStreamLayer? Probe(FlowSession session, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, bool allowTls,
        out ProbeResult result, out string? protocol)
    {
        var smtp = SmtpProbe.Probe(client, server);
        if (smtp == ProbeResult.NoMatch && session.Flow.PickedUpMidStream && !session.InsideTls)
            smtp = SmtpProbe.ProbeMidStream(client, server);
        var tls = allowTls ? TlsProbe.Probe(client) : ProbeResult.NoMatch;
        var http = HttpProbe.Probe(client);
        protocol = null;
        result = ProbeResult.Match;
        if (smtp == ProbeResult.Match)
        {
            SmtpFlows++;
            protocol = "smtp";
            return new SmtpLayer(this, session);
        }
        if (tls == ProbeResult.Match)
        {
            TlsFlows++;
            protocol = "tls";
            return new TlsLayer(this, session, startTls: false);
        }
        if (http == ProbeResult.Match)
        {
            HttpFlows++;
            protocol = "http";
            return new HttpLayer(this, session);
        }
        result = smtp == ProbeResult.NeedMore || tls == ProbeResult.NeedMore || http == ProbeResult.NeedMore
            ? ProbeResult.NeedMore : ProbeResult.NoMatch;
        return null;
    }

    /// <summary>STARTTLS succeeded: the rest of the flow is TLS.</summary>
    internal IStreamLayer CreateStartTlsLayer(FlowSession session)
    {
        TlsFlows++;
        return new TlsLayer(this, session, startTls: true);
    }

    internal void CountUnidentified(FlowSession session) => UnidentifiedFlows++;

    internal void EmitSmtpTransaction(FlowSession session, SmtpSession smtp, SmtpTransaction transaction)
    {
        var message = SmtpMailMessageFactory.Create(transaction, session, smtp.BannerHost,
            Settings.Imf, Anomalies);
        Annotate(message, session);
        Messages++;
        _sink.OnMessage(message);
    }

    public long MailApiUnreadable { get; private set; }

    internal void EmitHttpRequest(FlowSession session, HttpRequestRecord request)
    {
        HttpRequests++;
        var flow = session.Flow;
        var result = _mailApi.Extract(request, session.ServerName,
            new MailApiRequestContext(flow.Key.Client, flow.Key.Server, flow.Id, session.ServerName ?? request.Authority));
        if (result is null) return;
        foreach (var message in result.Messages)
        {
            message.Tls ??= TlsMessageFacts.From(session.TlsInfo);
            Annotate(message, session);
            Messages++;
            _sink.OnMessage(message);
        }
        if (result.Unknown is { } reason)
        {
            MailApiUnreadable++;
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
            });
        }
    }

    internal void EmitTlsSession(FlowSession session, TlsLayer layer, long endTimestampNs)
    {
        _sink.OnTlsSession(new TlsSessionRecord
        {
            FlowId = session.Flow.Id,
            Source = session.Flow.Key.Client,
            Destination = session.Flow.Key.Server,
            StartTimestampNs = session.Flow.FirstSeenNs,
            EndTimestampNs = endTimestampNs,
            Info = layer.Session.Info,
            ApplicationProtocol = layer.ApplicationProtocol,
            StartTls = layer.StartTls,
            Process = session.Process,
        });
    }

    private static void Annotate(MailMessage message, FlowSession session) => message.Process ??= session.Process;

    /// <summary>Parks an ended TLS flow whose records wait for keys; false when the limits say no.</summary>
    internal bool TryPark(TlsLayer layer)
    {
        long bytes = layer.PendingBytes;
        if (bytes > Options.MaxParkedTlsBytes) return false;
        while (_parked.Count > 0 && (_parked.Count >= Options.MaxParkedTlsSessions || _parkedBytes + bytes > Options.MaxParkedTlsBytes))
        {
            Anomalies.Report(AnomalyStage.Tls, "parked_session_evicted");
            Unpark(_parked.First!).Finish();
        }
        _parked.AddLast((layer, bytes));
        _parkedBytes += bytes;
        return true;
    }

    /// <summary>
    /// Called for every packet and after new secrets: when the key log changed, parked flows get another try; flows
    /// parked longer than <see cref="ProtocolOptions.ParkedTlsHold"/> are reported opaque.
    /// </summary>
    public void Service(long nowNs)
    {
        if (_parked.Count == 0) return;
        if (KeyLog.Version != _keyVersionSeen) RetryParked();
        long holdNs = (long)Options.ParkedTlsHold.TotalMilliseconds * 1_000_000;
        while (_parked.First is { } first && nowNs - first.Value.Layer.CloseTimestampNs > holdNs)
            Unpark(first).Finish();
    }

    /// <summary>End of input: last try for parked flows, then report the rest opaque.</summary>
    public void Finish()
    {
        RetryParked();
        while (_parked.First is { } first) Unpark(first).Finish();
    }

    private void RetryParked()
    {
        _keyVersionSeen = KeyLog.Version;
        for (var node = _parked.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Layer.RetryParked()) Unpark(node);
            node = next;
        }
    }

    private TlsLayer Unpark(LinkedListNode<(TlsLayer Layer, long Bytes)> node)
    {
        _parked.Remove(node);
        _parkedBytes -= node.Value.Bytes;
        return node.Value.Layer;
    }
}
