using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Follows one SMTP connection from both directions' ordered byte streams and emits its mail transactions.
/// <para>
/// <b>Any interleaving gives the same result.</b> The meaning of client bytes after DATA, STARTTLS and AUTH depends
/// on the server's reply (354 → content, 220 → TLS, 334 → a SASL response line), and a reply is matched to its
/// command FIFO (RFC 2920). <see cref="SmtpConversation"/> (the RFC 5321 state machine) stops each direction where it
/// would need the other one; <see cref="SmtpDirectionScheduler"/> holds the bytes after the stop (bounded by
/// <see cref="SmtpOptions.MaxHeldBytes"/>) and parses them as soon as the other direction catches up. Feeding the
/// whole client stream first and the whole server stream second therefore gives the same transactions as true
/// interleaving, as long as the held bytes fit. When they don't, the session assumes the usual outcome (DATA
/// accepted → content; STARTTLS accepted → TLS) and counts <c>held_bytes_overflow</c>. The first reply of a session
/// is not matched to a command with a later timestamp (mid-stream pickup).
/// </para>
/// <para>
/// <b>STARTTLS.</b> Every call returns a <see cref="StartTlsHandoff"/>: empty while the connection is plaintext;
/// once a direction is TLS, every byte of it comes back there exactly once and in order (bytes held before the switch
/// was known, then the untaken rest of the call, then whole later calls). Forward each handoff to a TLS layer.
/// If the server refuses STARTTLS (454...), the session continues in plaintext; so it does when, after the 220, the
/// first byte of either direction starts an SMTP line instead of a TLS record (a capture exported after decryption, a
/// client that gave up on TLS), counted as <c>starttls_not_followed_by_tls</c>. After STARTTLS (or for implicit TLS)
/// the caller creates a new session for the decrypted stream with <see cref="InsideTls"/> = true; it starts without a
/// banner, with the client's new EHLO (RFC 3207 §4.2).
/// </para>
/// </summary>
public sealed class SmtpSession
{
    private readonly SmtpConversation _conversation;
    private readonly SmtpDirectionScheduler _scheduler;

    public SmtpSession(SmtpOptions options, ISmtpTransactionHandler handler, IAnomalySink anomalies)
    {
        _conversation = new SmtpConversation(options, handler, anomalies);
        _scheduler = new SmtpDirectionScheduler(_conversation, options.MaxHeldBytes, anomalies);
    }

    /// <summary>Set by the caller when this session parses decrypted TLS (implicit TLS, or after STARTTLS).</summary>
    public bool InsideTls
    {
        get => _conversation.InsideTls;
        set => _conversation.InsideTls = value;
    }

    /// <summary>First word after 220 in the greeting.</summary>
    public string? BannerHost => _conversation.BannerHost;
    public bool SawBanner => _conversation.SawBanner;
    /// <summary>Argument of the last EHLO/HELO.</summary>
    public string? Helo => _conversation.Helo;
    /// <summary>EHLO keywords of the last 2xx EHLO reply, upper case (PIPELINING, STARTTLS, AUTH, ...).</summary>
    public IReadOnlyList<string> Capabilities => _conversation.Capabilities;
    /// <summary>Mechanism of the last successful AUTH (or of an AUTH whose reply was not seen).</summary>
    public string? AuthMechanism => _conversation.AuthMechanism;
    public int TransactionCount => _conversation.TransactionCount;
    public int UnknownCommandCount => _conversation.UnknownCommandCount;
    /// <summary>Known extension commands not interpreted (XCLIENT, XFORWARD, ETRN, ...).</summary>
    public int OtherCommandCount => _conversation.OtherCommandCount;

    /// <summary>STARTTLS was sent and its reply is not seen yet.</summary>
    public bool TlsSwitchPending => _conversation.TlsSwitchPending;
    /// <summary>STARTTLS was accepted (or assumed accepted): at least one direction now carries TLS.</summary>
    public bool StartedTls => _conversation.ClientIsTls || _conversation.ServerIsTls;

    /// <summary>True once this direction's remaining bytes are TLS.</summary>
    public bool IsTls(FlowDirection direction) => _scheduler.IsTls(direction);

    internal SmtpConversation Conversation => _conversation;
    internal SmtpDirectionScheduler Scheduler => _scheduler;

    /// <summary>Feeds the next bytes of one direction; returns the TLS bytes the caller must now give a TLS layer.</summary>
    public StartTlsHandoff OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs) =>
        _scheduler.Feed(direction, data, timestampNs);

    public StartTlsHandoff OnClientData(ReadOnlySpan<byte> data, long timestampNs) =>
        _scheduler.Feed(FlowDirection.ClientToServer, data, timestampNs);

    public StartTlsHandoff OnServerData(ReadOnlySpan<byte> data, long timestampNs) =>
        _scheduler.Feed(FlowDirection.ServerToClient, data, timestampNs);

    /// <summary><paramref name="missingBytes"/> bytes of one direction were lost; the next data continues after the hole.</summary>
    public void OnGap(FlowDirection direction, long missingBytes) => _scheduler.OnGap(direction, missingBytes);

    /// <summary>The connection ended: parse what is held, emit finished messages (DATA reply missing → code 0).</summary>
    public void OnClose(long timestampNs) => _scheduler.OnClose(timestampNs);
}
