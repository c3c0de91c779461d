using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Decides when each direction's bytes reach the <see cref="ISmtpConversation"/>, so that any interleaving of the two
/// byte streams gives the same result. A direction the conversation stops in (it needs the other one) has the rest
/// of its bytes held (<see cref="SmtpOptions.MaxHeldBytes"/>); held bytes are pumped as soon as the other direction
/// catches up. When a hold would overflow, the wait is forced: the client's as if the usual reply had come, the
/// server's by parsing replies without their commands (<c>held_bytes_overflow</c>). Bytes held in a direction that
/// turns out to be TLS are handed back whole in the <see cref="StartTlsHandoff"/>.
/// </summary>
internal sealed class SmtpDirectionScheduler
{
    /// <summary>
    /// Rounds of "assume the usual reply, then pump" before giving up on a forced drain. Each round settles one wait,
    /// so a hold of <see cref="SmtpOptions.MaxHeldBytes"/> needs far fewer; the bound only keeps a loop from spinning.
    /// </summary>
    internal const int MaxForcedRounds = 100_000;

    private readonly ISmtpConversation _conversation;
    private readonly IAnomalySink _anomalies;
    private readonly int _maxHeldBytes;

    // Allocated the first time a direction runs ahead of the other one.
    private SmtpHold? _clientHold;
    private SmtpHold? _serverHold;
    private bool _closed;

    public SmtpDirectionScheduler(ISmtpConversation conversation, int maxHeldBytes, IAnomalySink anomalies)
    {
        _conversation = conversation;
        _maxHeldBytes = maxHeldBytes;
        _anomalies = anomalies;
    }

    public bool IsTls(FlowDirection direction) =>
        direction == FlowDirection.ClientToServer ? _conversation.ClientIsTls : _conversation.ServerIsTls;

    /// <summary>Bytes of this direction held now (for tests).</summary>
    internal int HeldBytes(FlowDirection direction) => Held(direction)?.Length ?? 0;

    private SmtpHold? Held(FlowDirection direction) => direction == FlowDirection.ClientToServer ? _clientHold : _serverHold;

    private SmtpHold Hold(FlowDirection direction) =>
        direction == FlowDirection.ClientToServer ? _clientHold ??= new SmtpHold() : _serverHold ??= new SmtpHold();

    private bool HasHeld(FlowDirection direction) => Held(direction) is { Length: > 0 };

    // ---------------------------------------------------------------- feeding

    public StartTlsHandoff Feed(FlowDirection dir, ReadOnlySpan<byte> data, long ts)
    {
        if (_closed) return default;
        int taken = IsTls(dir) ? 0 : Parse(dir, data, ts);
        return Handoff(dir, data[taken..]);
    }

    /// <summary>Parses or holds <paramref name="data"/>; returns how many bytes were taken (the rest is TLS).</summary>
    private int Parse(FlowDirection dir, ReadOnlySpan<byte> data, long ts)
    {
        if (data.IsEmpty) return 0;
        bool client = dir == FlowDirection.ClientToServer;

        if (HasHeld(dir))
        {
            // Earlier bytes of this direction wait on the other one; keep order.
            if (Hold(dir).TryAppend(data, ts, _maxHeldBytes))
            {
                Pump();
                return data.Length;
            }
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.HeldBytesOverflow);
            if (client)
            {
                for (int round = 0; HasHeld(dir) && !_conversation.ClientIsTls && round < MaxForcedRounds; round++)
                {
                    _conversation.AssumeUsualReply();
                    Pump();
                }
            }
            else ForceServer();
            if (IsTls(dir)) return 0;
        }

        int pos = 0;
        while (pos < data.Length && !IsTls(dir))
        {
            pos += Process(dir, data[pos..], ts, force: false);
            if (pos >= data.Length || IsTls(dir)) break;
            // This direction stopped: let the other one catch up, then retry or hold the rest.
            if (Pump()) continue;
            if (Hold(dir).TryAppend(data[pos..], ts, _maxHeldBytes))
            {
                pos = data.Length;
                break;
            }
            // Too much to hold: stop waiting and assume the usual outcome.
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.HeldBytesOverflow);
            if (client) _conversation.AssumeUsualReply();
            else pos += Process(dir, data[pos..], ts, force: true);
        }
        Pump();
        return pos;
    }

    /// <summary>
    /// Per direction that is TLS now: the bytes it held (they turned out to be TLS), then, for the fed direction,
    /// the untaken rest of the call.
    /// </summary>
    private StartTlsHandoff Handoff(FlowDirection fed, ReadOnlySpan<byte> untaken)
    {
        var client = TakeTls(FlowDirection.ClientToServer, fed == FlowDirection.ClientToServer ? untaken : default);
        var server = TakeTls(FlowDirection.ServerToClient, fed == FlowDirection.ServerToClient ? untaken : default);
        return new StartTlsHandoff(fed, client, server);
    }

    private ReadOnlySpan<byte> TakeTls(FlowDirection dir, ReadOnlySpan<byte> untaken)
    {
        if (!IsTls(dir)) return default;
        if (!HasHeld(dir)) return untaken;
        var held = Held(dir)!.TakeAll();
        // Both only when a hold overflowed or a gap forced STARTTLS: a one-time copy.
        return untaken.IsEmpty ? held : (byte[])[.. held, .. untaken];
    }

    /// <summary>Parses held bytes of whichever direction can go on, until neither can.</summary>
    private bool Pump()
    {
        bool any = false;
        while (true)
        {
            bool progress = false;
            if (HasHeld(FlowDirection.ClientToServer) && !_conversation.ClientIsTls && !_conversation.ClientBlocked)
                progress |= Drain(FlowDirection.ClientToServer, force: false);
            if (HasHeld(FlowDirection.ServerToClient) && !_conversation.ServerIsTls)
                progress |= Drain(FlowDirection.ServerToClient, force: false);
            if (!progress) return any;
            any = true;
        }
    }

    private bool Drain(FlowDirection dir, bool force)
    {
        var hold = Held(dir);
        bool progress = false;
        while (hold is { Length: > 0 } && !IsTls(dir))
        {
            var seg = hold.PeekSegment(out long ts);
            int n = Process(dir, seg, ts, force);
            if (n > 0) { hold.Advance(n); progress = true; }
            if (n < seg.Length) break;
        }
        return progress;
    }

    /// <summary>Parses all held server bytes without waiting for commands; unmatched replies are counted.</summary>
    private void ForceServer() => Drain(FlowDirection.ServerToClient, force: true);

    private int Process(FlowDirection dir, ReadOnlySpan<byte> data, long ts, bool force) =>
        dir == FlowDirection.ClientToServer ? _conversation.ParseClient(data, ts) : _conversation.ParseServer(data, ts, force);

    // ---------------------------------------------------------------- gaps and close

    /// <summary><paramref name="missingBytes"/> bytes of one direction were lost; the next data continues after the hole.</summary>
    public void OnGap(FlowDirection direction, long missingBytes)
    {
        if (_closed || IsTls(direction) || missingBytes <= 0) return;
        if (direction == FlowDirection.ClientToServer) ClientGap(missingBytes);
        else ServerGap();
    }

    private void ClientGap(long missing)
    {
        // Bytes before the hole come first: stop waiting and parse what is held.
        for (int round = 0; (HasHeld(FlowDirection.ClientToServer) || _conversation.ClientAwaitsReply) && round < MaxForcedRounds && !_conversation.ClientIsTls; round++)
        {
            _conversation.AssumeUsualReply();
            Pump();
        }
        if (_conversation.ClientIsTls) return;
        _conversation.OnClientGap(missing);
    }

    private void ServerGap()
    {
        if (HasHeld(FlowDirection.ServerToClient)) ForceServer();
        if (_conversation.ServerIsTls) return;
        _conversation.OnServerGap();
        Pump();
    }

    /// <summary>The connection ended: parse what is held, then let the conversation settle what waits on replies.</summary>
    public void OnClose(long timestampNs)
    {
        if (_closed) return;
        for (int round = 0; round < MaxForcedRounds; round++)
        {
            bool progress = false;
            if (HasHeld(FlowDirection.ServerToClient) && !_conversation.ServerIsTls) { ForceServer(); progress = true; }
            if (HasHeld(FlowDirection.ClientToServer) && !_conversation.ClientIsTls)
            {
                if (_conversation.ClientBlocked) _conversation.AssumeUsualReply();
                progress |= Pump();
            }
            if (!progress) break;
        }
        _conversation.OnClose(timestampNs);
        _closed = true;
    }
}
