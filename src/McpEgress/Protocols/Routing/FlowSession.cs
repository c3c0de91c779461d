using McpEgress.Mail;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>Per-flow facts shared by the layers of one flow's protocol stack.</summary>
internal sealed class FlowSession
{
    public FlowSession(TcpFlow flow, IStreamLayer? root = null)
    {
        Flow = flow;
        Root = root!;
    }

    public TcpFlow Flow { get; }
    public IStreamLayer Root { get; set; }

    /// <summary>TLS server name (SNI) when the flow carries TLS.</summary>
    public string? ServerName { get; set; }

    /// <summary>HTTP authority of the flow's first request (HTTP/2 :authority or the Host header), when one was read.</summary>
    public string? HttpHost { get; set; }

    /// <summary>An open <see cref="FlowSummaryRecord"/> was emitted (the destination's name became known before the flow ended).</summary>
    public bool SummaryOpened { get; set; }

    /// <summary>ALPN protocol the TLS server selected ("h2", "http/1.1"), when known.</summary>
    public string? Alpn { get; set; }

    /// <summary>The TLS session carrying this flow's application bytes, if any.</summary>
    public TlsSessionInfo? TlsInfo { get; set; }

    /// <summary>The TLS facts the flow's last message carried (see <see cref="TlsMessageFacts"/>), shared by the next while unchanged.</summary>
    public TlsFacts? LastTlsFacts;

    /// <summary>The request context of the flow's last mail-API call, shared by the next while its server name is the same.</summary>
    public MailApis.MailApiRequestContext? MailApiContext;

    /// <summary>The application bytes are decrypted TLS plaintext.</summary>
    public bool InsideTls { get; set; }

    /// <summary>The owning process, from the <see cref="IFlowAnnotator"/> at flow open; null when none.</summary>
    public ProcessFacts? Process { get; set; }

    /// <summary>The flow was reported as carrying mail (<see cref="IFlowAnnotator.OnMailFlow"/>).</summary>
    public bool MailFlow { get; set; }

    /// <summary>The proxy tunnel (CONNECT, SOCKS) the application bytes run in, once the proxy granted it; else null.</summary>
    public TunnelFacts? Tunnel { get; set; }

    /// <summary>Tunnel requests seen on this flow (bounded by TunnelOptions.MaxAttemptsPerConnection).</summary>
    public int TunnelAttempts { get; set; }

    /// <summary>
    /// Another session's layers see the same flow's bytes too (an HTTP/2 CONNECT stream inside its connection): no layer
    /// of this session alone can say the flow no longer matters.
    /// </summary>
    public bool SharesFlow { get; init; }

    /// <summary>TLS layers stacked on this session so far (STARTTLS, TLS, TLS inside a tunnel inside TLS).</summary>
    public int TlsLayers { get; set; }

    /// <summary>
    /// A layer built now gets the flow's own bytes, not plaintext of a TLS layer below it, and is the flow's only
    /// reader: it may bypass the flow once nothing more can come of it.
    /// </summary>
    public bool ReadsRawFlow => !SharesFlow && TlsLayers == 0;

    /// <summary>Packet time of the data being processed, for layers whose callbacks carry no timestamp.</summary>
    public long CurrentTimestampNs { get; set; }
}
