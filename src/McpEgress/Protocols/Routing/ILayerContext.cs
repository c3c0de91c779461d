using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Protocols.Tunnels;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// All a protocol layer may ask of the stage around it: its parser's options and the shared key log, where to report
/// anomalies and what it found, the layer to switch to (a probe's match, TLS after STARTTLS), and a place to wait
/// for TLS keys after its flow ended. Layers never see the router, the counters or the event sink.
/// </summary>
internal interface ILayerContext
{
    ProtocolSettings Settings { get; }
    TlsKeyLog KeyLog { get; }
    IAnomalySink Anomalies { get; }

    /// <summary>
    /// Runs the content probes over a flow's first bytes. On <see cref="ProbeResult.Match"/> returns the layer that
    /// takes the flow over and names its protocol ("smtp", "tls", "http"); otherwise null.
    /// </summary>
    IStreamLayer? Probe(FlowSession session, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, bool allowTls,
        bool allowTunnel, out ProbeResult result, out string? protocol);

    /// <summary>A proxy tunnel request was answered (or never was, at close): counted by kind and outcome.</summary>
    void ReportTunnel(FlowSession session, TunnelKind kind, TunnelStatus status);

    /// <summary>STARTTLS succeeded: the layer that reads the rest of the flow as TLS.</summary>
    IStreamLayer StartTls(FlowSession session);

    /// <summary>The flow carries mail (SMTP, TLS or a tunnel to a mail-API host): reported once per flow.</summary>
    void ReportMailFlow(FlowSession session);
    /// <summary>
    /// The flow carries or may carry mail (SMTP, a proxy tunnel, TLS or HTTP to a mail-API host): under load its
    /// packets are the last to be dropped.
    /// </summary>
    void Keep(FlowSession session);

    /// <summary>
    /// The flow is likely not mail (TLS to a host that is no mail API) but cannot be bypassed: under load its packets
    /// are dropped first. A later <see cref="Keep"/> (a fronted mail-API call found inside) takes it back.
    /// </summary>
    void MarkExpendable(FlowSession session);

    /// <summary>
    /// Nothing of the flow's remaining bytes can produce a message, an alert or change its TLS session event: stop
    /// reassembling it (the layer still gets gaps and the close; a TLS layer adds the bytes it was not given to its
    /// counts). Only a layer that reads the flow's own bytes and is their only reader
    /// (<see cref="FlowSession.ReadsRawFlow"/> when it was built) may ask. True when the flow is now bypassed.
    /// </summary>
    bool Bypass(FlowSession session);

    /// <summary>No probe recognised the flow; the rest of it is ignored.</summary>
    void ReportUnidentified(FlowSession session);

    void ReportSmtpTransaction(FlowSession session, SmtpTransaction transaction, string? bannerHost);

    void ReportHttpRequest(FlowSession session, HttpRequestRecord request);

    /// <summary>A TLS connection ended (decrypted or not): reported for visibility.</summary>
    void ReportTlsSession(FlowSession session, TlsSessionInfo info, string? applicationProtocol, bool startTls,
        long endTimestampNs);

    /// <summary>
    /// An ended TLS flow still holds records without keys: asks to wait for them (see <see cref="TlsParkingLot"/>).
    /// False when the limits say no; the flow then finishes now.
    /// </summary>
    bool WaitForKeys(IParkedTlsFlow flow);
}
