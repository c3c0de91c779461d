using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Runs an <see cref="SmtpSession"/> on a flow and, after a successful STARTTLS, hands every following byte to a
/// TLS layer (RFC 3207 §4: TLS starts at the byte after the server's 220 reply and the client's STARTTLS line).
/// </summary>
internal sealed class SmtpLayer : IStreamLayer, ISmtpTransactionHandler
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private readonly SmtpSession _smtp;
    private IStreamLayer? _tls;

    public SmtpLayer(ILayerContext context, FlowSession session)
    {
        _context = context;
        _session = session;
        _smtp = new SmtpSession(context.Settings.Smtp, this, context.Anomalies) { InsideTls = session.InsideTls };
    }

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        _session.CurrentTimestampNs = timestampNs;
        var handoff = _smtp.OnData(direction, data, timestampNs);
        if (!_smtp.StartedTls) return;
        _tls ??= _context.StartTls(_session);
        foreach (var part in handoff) _tls.OnData(part.Direction, part.Bytes, timestampNs);
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_tls is not null && _smtp.IsTls(direction)) _tls.OnGap(direction, missingBytes, timestampNs);
        else _smtp.OnGap(direction, missingBytes);
    }

    public void OnClose(long timestampNs)
    {
        _smtp.OnClose(timestampNs);
        _tls?.OnClose(timestampNs);
    }

    public void OnTransaction(SmtpTransaction transaction) =>
        _context.ReportSmtpTransaction(_session, transaction, _smtp.BannerHost);
}
