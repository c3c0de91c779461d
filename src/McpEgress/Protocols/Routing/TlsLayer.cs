using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Decrypts a flow's TLS with the key log and hands the plaintext to a probing layer that finds the application
/// protocol inside (SMTP, HTTP). A flow that ends while its records still wait for keys is parked (bounded, see
/// <see cref="TlsParkingLot"/>) so a key log or Decryption Secrets Block that arrives later can still unlock it.
/// </summary>
internal sealed class TlsLayer : IStreamLayer, ITlsSessionHandler, IParkedTlsFlow
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private readonly TlsSession _tls;
    private readonly ProbingLayer _inner;
    private readonly bool _readsRawFlow;
    private long _closeTimestampNs;
    private bool _finished;
    private bool _serverNameChecked;
    private bool _bypassed;

    public TlsLayer(ILayerContext context, FlowSession session, bool startTls)
    {
        _context = context;
        _session = session;
        StartTls = startTls;
        // STARTTLS: the SMTP layer below shares the flow (and an SMTP flow is never bypassed).
        _readsRawFlow = !startTls && session.ReadsRawFlow;
        session.TlsLayers++;
        _tls = new TlsSession(context.Settings.Tls, context.KeyLog, this, context.Anomalies);
        // allowTunnel: an HTTPS proxy (TLS to the proxy, CONNECT inside it), unless this TLS already runs in a tunnel.
        _inner = new ProbingLayer(context, session, allowTls: context.Settings.Protocol.AllowNestedTls,
            allowTunnel: session.Tunnel is null);
        session.TlsInfo = _tls.Info;
    }

    public bool StartTls { get; }
    public long PendingBytes => _tls.PendingCiphertextBytes;
    public long CloseTimestampNs => _closeTimestampNs;

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        _session.CurrentTimestampNs = timestampNs;
        _tls.OnData(direction, data);
        if (!_serverNameChecked && _tls.Info.ClientRandom is not null) CheckServerName();
        if (_readsRawFlow && !_bypassed && _tls.DecryptionOver) BypassFlow();
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        _tls.OnGap(direction, missingBytes);
        if (_readsRawFlow && !_bypassed && _tls.DecryptionOver) BypassFlow();
    }

    /// <summary>Nothing more can be decrypted: the flow's remaining bytes are only counted (added back at <see cref="Finish"/>).</summary>
    private void BypassFlow()
    {
        if (!_context.Bypass(_session)) return;
        _bypassed = true;
        _tls.StopFraming();
    }

    /// <summary>
    /// Once the ClientHello is in: TLS to a mail-API host is a flow to keep; TLS to another named host is dropped first
    /// under load (not bypassed: a key may come, a proxy or a fronted call may hide behind the name).
    /// </summary>
    private void CheckServerName()
    {
        _serverNameChecked = true;
        if (MailApiHosts.Normalize(_tls.Info.ServerName) is not { } host) return;
        if (MailApiHosts.Find(host) is not null)
        {
            _context.Keep(_session);
            _context.ReportMailFlow(_session);
        }
        else if (!StartTls) _context.MarkExpendable(_session);
    }

    public void OnClose(long timestampNs)
    {
        _closeTimestampNs = timestampNs;
        // Keys may still come (a later key-log line, a DSB after the packets): park instead of closing.
        if (_tls.PendingCiphertextBytes > 0 && _context.WaitForKeys(this)) return;
        Finish();
    }

    /// <summary>Retries parked records after the key log grew. True when the layer is done (decrypted or given up).</summary>
    public bool RetryParked()
    {
        _tls.TryDecryptPending();
        if (_tls.PendingCiphertextBytes > 0) return false;
        Finish();
        return true;
    }

    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        // The bytes the reassembler counted instead of delivering after the bypass are TLS bytes all the same.
        if (_bypassed)
        {
            var skipped = _session.Flow.BypassedBytes;
            _tls.Info.AddBytes(FlowDirection.ClientToServer, skipped[0]);
            _tls.Info.AddBytes(FlowDirection.ServerToClient, skipped[1]);
        }
        _tls.OnClose();
        _inner.OnClose(_closeTimestampNs);
        _context.ReportTlsSession(_session, _tls.Info, ApplicationProtocol, StartTls, _closeTimestampNs);
    }

    public string? ApplicationProtocol => _inner.Protocol;

    public void OnHandshakeComplete(TlsSessionInfo info)
    {
        _session.ServerName ??= info.ServerName;
        _session.Alpn = info.AlpnSelected;
        _session.InsideTls = true;
    }

    public void OnPlaintext(FlowDirection direction, ReadOnlySpan<byte> plaintext)
    {
        _session.InsideTls = true;
        _session.ServerName ??= _tls.Info.ServerName;
        _inner.OnData(direction, plaintext, _session.CurrentTimestampNs);
    }

    public void OnDecryptionFailed(FlowDirection direction, string reason)
    {
        // Counted by the session as an anomaly; the direction stays silent, so nothing unauthenticated reaches a parser.
    }
}
