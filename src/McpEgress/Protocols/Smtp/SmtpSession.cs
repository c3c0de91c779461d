using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Follows one SMTP connection from both directions' ordered byte streams and emits its mail transactions.
/// <para>
/// <b>Any interleaving gives the same result.</b> The meaning of client bytes after DATA, STARTTLS and AUTH depends
/// on the server's reply (354 → content, 220 → TLS, 334 → a SASL response line), and a reply is matched to its
/// command FIFO (RFC 2920). So each direction stops where it would need the other one: the client after such a
/// command until its reply is seen, the server at the start of a reply no command is waiting for. Bytes after the
/// stop are held (bounded by <see cref="SmtpOptions.MaxHeldBytes"/>) and parsed as soon as the other direction
/// catches up. Feeding the whole client stream first and the whole server stream second therefore gives the
/// same transactions as true interleaving, as long as the held bytes fit. When they don't, the session assumes
/// the usual outcome (DATA accepted → content; STARTTLS accepted → TLS) and counts <c>held_bytes_overflow</c>.
/// The first reply of a session is not matched to a command with a later timestamp (mid-stream pickup).
/// </para>
/// <para>
/// <b>STARTTLS.</b> After the server's 220 to STARTTLS, the server's next byte and the client's first byte after
/// "STARTTLS\r\n" are TLS. <see cref="OnClientData"/>/<see cref="OnServerData"/> return how many bytes of the call
/// the session took; a return value below the input length means the rest of that direction is TLS. Bytes the
/// session had taken (held) before it learned they are TLS are handed back by <see cref="TakeHeldTlsBytes"/>;
/// after every call with <see cref="StartedTls"/> true the caller routes, per direction where
/// <see cref="IsTls"/> is true, first <see cref="TakeHeldTlsBytes"/>, then the untaken rest of the call, then all later
/// bytes to TLS. If the server refuses STARTTLS (454...), the session continues in plaintext.
/// After STARTTLS (or for implicit TLS) the caller creates a new session for the decrypted stream with
/// <see cref="InsideTls"/> = true; it starts without a banner, with the client's new EHLO (RFC 3207 §4.2).
/// </para>
/// </summary>
public sealed class SmtpSession
{
    private readonly SmtpOptions _options;
    private readonly ISmtpTransactionHandler _handler;
    private readonly IAnomalySink _anomalies;

    private readonly SmtpLineReader _clientLines;
    private readonly SmtpLineReader _serverLines;
    private readonly SmtpHold _clientHold = new();
    private readonly SmtpHold _serverHold = new();

    // A ring that grows from 8 to MaxPendingCommands: an idle or one-command session keeps ~0.4 KB, not 6 KB.
    private SmtpPendingCommand[] _pending;
    private readonly int _maxPending;
    private int _pendingHead;
    private int _pendingCount;

    // Client direction.
    private ClientMode _clientMode = ClientMode.Command;
    private ClientWait _clientWait = ClientWait.None;
    private SmtpTransactionBuilder? _current;   // receives MAIL/RCPT/DATA/BDAT commands
    private SmtpTransactionBuilder? _content;   // receives DATA content or BDAT chunks
    private long _bdatRemaining;
    private bool _bdatLast;
    private bool _clientTls;
    private bool _clientBareLfReported;
    private byte[]? _clientTlsBytes;

    // Server direction.
    private bool _serverTls;
    private bool _serverResync;
    private bool _serverForce;
    private bool _inReply;
    private int _replyCode;
    private bool _replyHasTarget;
    private bool _sawServerReply;
    private bool _serverBareLfReported;
    private List<string>? _capsBuilding;
    private byte[]? _serverTlsBytes;

    private int _transactionsStarted;
    private bool _closed;
    private List<string> _capabilities = [];

    public SmtpSession(SmtpOptions options, ISmtpTransactionHandler handler, IAnomalySink anomalies)
    {
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        _clientLines = new SmtpLineReader(options.MaxLineBytes, anomalies);
        _serverLines = new SmtpLineReader(options.MaxLineBytes, anomalies);
        _maxPending = Math.Max(4, options.MaxPendingCommands);
        _pending = new SmtpPendingCommand[Math.Min(8, _maxPending)];
    }

    /// <summary>Set by the caller when this session parses decrypted TLS (implicit TLS, or after STARTTLS).</summary>
    public bool InsideTls { get; set; }

    /// <summary>First word after 220 in the greeting.</summary>
    public string? BannerHost { get; private set; }
    public bool SawBanner { get; private set; }
    /// <summary>Argument of the last EHLO/HELO.</summary>
    public string? Helo { get; private set; }
    /// <summary>EHLO keywords of the last 2xx EHLO reply, upper case (PIPELINING, STARTTLS, AUTH, ...).</summary>
    public IReadOnlyList<string> Capabilities => _capabilities;
    /// <summary>Mechanism of the last successful AUTH (or of an AUTH whose reply was not seen).</summary>
    public string? AuthMechanism { get; private set; }
    public int TransactionCount => _transactionsStarted;
    public int UnknownCommandCount { get; private set; }
    /// <summary>Known extension commands not interpreted (XCLIENT, XFORWARD, ETRN, ...).</summary>
    public int OtherCommandCount { get; private set; }

    /// <summary>STARTTLS was sent and its reply is not seen yet.</summary>
    public bool TlsSwitchPending => _clientWait == ClientWait.StartTls;
    /// <summary>STARTTLS was accepted (or assumed accepted): at least one direction now carries TLS.</summary>
    public bool StartedTls => _clientTls || _serverTls;

    /// <summary>True once this direction's remaining bytes are TLS.</summary>
    public bool IsTls(FlowDirection direction) => direction == FlowDirection.ClientToServer ? _clientTls : _serverTls;

    /// <summary>TLS bytes the session had already taken (held) in this direction before the switch was known. Clears them.</summary>
    public byte[] TakeHeldTlsBytes(FlowDirection direction)
    {
        byte[] bytes;
        if (direction == FlowDirection.ClientToServer) { bytes = _clientTlsBytes ?? []; _clientTlsBytes = null; }
        else { bytes = _serverTlsBytes ?? []; _serverTlsBytes = null; }
        return bytes;
    }

    public int OnClientData(ReadOnlySpan<byte> data, long timestampNs) => Feed(FlowDirection.ClientToServer, data, timestampNs);

    public int OnServerData(ReadOnlySpan<byte> data, long timestampNs) => Feed(FlowDirection.ServerToClient, data, timestampNs);

    // ---------------------------------------------------------------- feeding and holding

    private int Feed(FlowDirection dir, ReadOnlySpan<byte> data, long ts)
    {
        if (_closed) return data.Length;
        if (IsTls(dir) || data.IsEmpty) return 0;
        bool client = dir == FlowDirection.ClientToServer;
        var hold = client ? _clientHold : _serverHold;

        if (hold.Length > 0)
        {
            // Earlier bytes of this direction wait on the other one; keep order.
            if (hold.TryAppend(data, ts, _options.MaxHeldBytes))
            {
                Pump();
                return data.Length;
            }
            _anomalies.Report(AnomalyStage.Smtp, "held_bytes_overflow");
            if (client)
            {
                for (int guard = 0; hold.Length > 0 && !_clientTls && guard < 100_000; guard++)
                {
                    ForceClient();
                    Pump();
                }
            }
            else ForceServer();
            if (IsTls(dir)) return 0;
        }

        int pos = 0;
        while (pos < data.Length && !IsTls(dir))
        {
            pos += Process(dir, data[pos..], ts);
            if (pos >= data.Length || IsTls(dir)) break;
            // This direction stopped: let the other one catch up, then retry or hold the rest.
            if (Pump()) continue;
            if (hold.TryAppend(data[pos..], ts, _options.MaxHeldBytes))
            {
                pos = data.Length;
                break;
            }
            // Too much to hold: stop waiting and assume the usual outcome.
            _anomalies.Report(AnomalyStage.Smtp, "held_bytes_overflow");
            if (client) ForceClient();
            else
            {
                _serverForce = true;
                try { pos += ProcessServer(data[pos..], ts); }
                finally { _serverForce = false; }
            }
        }
        Pump();
        return pos;
    }

    /// <summary>Parses held bytes of whichever direction can go on, until neither can.</summary>
    private bool Pump()
    {
        bool any = false;
        while (true)
        {
            bool progress = false;
            if (_clientHold.Length > 0 && !_clientTls && !ClientBlocked) progress |= Drain(FlowDirection.ClientToServer);
            if (_serverHold.Length > 0 && !_serverTls) progress |= Drain(FlowDirection.ServerToClient);
            if (!progress) return any;
            any = true;
        }
    }

    private bool Drain(FlowDirection dir)
    {
        var hold = dir == FlowDirection.ClientToServer ? _clientHold : _serverHold;
        bool progress = false;
        while (hold.Length > 0)
        {
            if (IsTls(dir))
            {
                MoveHoldToTls(dir);
                return true;
            }
            var seg = hold.PeekSegment(out long ts);
            int n = Process(dir, seg, ts);
            if (n > 0) { hold.Advance(n); progress = true; }
            if (IsTls(dir))
            {
                MoveHoldToTls(dir);
                return true;
            }
            if (n < seg.Length) break;
        }
        return progress;
    }

    private void MoveHoldToTls(FlowDirection dir)
    {
        if (dir == FlowDirection.ClientToServer) _clientTlsBytes = Concat(_clientTlsBytes, _clientHold.TakeAll());
        else _serverTlsBytes = Concat(_serverTlsBytes, _serverHold.TakeAll());
    }

    private static byte[] Concat(byte[]? a, byte[] b) => a is null || a.Length == 0 ? b : [.. a, .. b];

    /// <summary>Resolves the client's wait as if the usual reply had come (354 to DATA, 220 to STARTTLS, AUTH done).</summary>
    private void ForceClient()
    {
        if (_clientWait == ClientWait.None || _pendingCount == 0)
        {
            _clientWait = ClientWait.None;
            if (_pendingCount >= _maxPending) DropOldestPending();
            return;
        }
        ref var last = ref _pending[(_pendingHead + _pendingCount - 1) % _pending.Length];
        last.Assumed = true;
        switch (_clientWait)
        {
            case ClientWait.Data:
                _clientWait = ClientWait.None;
                StartDataContent(last.Tx);
                break;
            case ClientWait.StartTls:
                _clientWait = ClientWait.None;
                _clientTls = true;
                _clientMode = ClientMode.Tls;
                MoveHoldToTls(FlowDirection.ClientToServer);
                break;
            default:
                _clientWait = ClientWait.None;
                _clientMode = ClientMode.Command;
                break;
        }
    }

    /// <summary>Parses all held server bytes without waiting for commands; unmatched replies are counted.</summary>
    private void ForceServer()
    {
        _serverForce = true;
        try { Drain(FlowDirection.ServerToClient); }
        finally { _serverForce = false; }
    }

    /// <summary>
    /// The client waits on a reply: one that decides what its next bytes mean, or any reply when
    /// <see cref="SmtpOptions.MaxPendingCommands"/> commands are already in flight (the server side lags).
    /// </summary>
    private bool ClientBlocked =>
        _clientWait != ClientWait.None
        || (_pendingCount >= _maxPending && _clientMode is ClientMode.Command or ClientMode.Resync);

    private int Process(FlowDirection dir, ReadOnlySpan<byte> data, long ts) =>
        dir == FlowDirection.ClientToServer ? ProcessClient(data, ts) : ProcessServer(data, ts);

    // ---------------------------------------------------------------- client direction

    private int ProcessClient(ReadOnlySpan<byte> data, long ts)
    {
        int pos = 0;
        while (pos < data.Length && !ClientBlocked && !_clientTls)
        {
            switch (_clientMode)
            {
                case ClientMode.Data:
                {
                    var tx = _content!;
                    pos += SmtpContentParser.Feed(tx, data[pos..], dotStuffed: true, _anomalies, out bool ended);
                    if (ended) FinishDataContent(tx, ts);
                    break;
                }
                case ClientMode.Bdat:
                {
                    var tx = _content!;
                    int take = (int)Math.Min(_bdatRemaining, data.Length - pos);
                    if (take > 0)
                    {
                        SmtpContentParser.Feed(tx, data.Slice(pos, take), dotStuffed: false, _anomalies, out _);
                        pos += take;
                        _bdatRemaining -= take;
                    }
                    if (_bdatRemaining == 0) FinishBdatChunk(tx, ts);
                    break;
                }
                default:
                {
                    var status = _clientLines.TryRead(data, ref pos, out var line);
                    if (status == SmtpLineStatus.Line) OnClientLine(line, ts);
                    else if (status == SmtpLineStatus.SkippedLine) OnClientLongLine(ts);
                    break;
                }
            }
        }
        return pos;
    }

    private void OnClientLongLine(long ts)
    {
        switch (_clientMode)
        {
            case ClientMode.AuthResponse:
                AuthResponseDone();
                break;
            case ClientMode.Command:
                // The server answers an over-long line too (500); keep the FIFO in step.
                UnknownCommandCount++;
                Push(new SmtpPendingCommand { Kind = SmtpCommandKind.Unknown, Ts = ts });
                break;
        }
    }

    private void OnClientLine(ReadOnlySpan<byte> line, long ts)
    {
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        else if (!_clientBareLfReported)
        {
            _clientBareLfReported = true;
            _anomalies.Report(AnomalyStage.Smtp, "bare_lf");
        }

        if (_clientMode == ClientMode.AuthResponse)
        {
            // A SASL response (RFC 4954 §4): credentials. Never parsed, never kept.
            AuthResponseDone();
            return;
        }
        if (_clientMode == ClientMode.Resync)
        {
            if (!SmtpCommandParser.StartsWithKnownVerb(line)) return;
            _clientMode = ClientMode.Command;
        }

        var kind = SmtpCommandParser.ParseVerb(line, out var args);
        var cmd = new SmtpPendingCommand { Kind = kind, Ts = ts, RcptIndex = -1 };
        switch (kind)
        {
            case SmtpCommandKind.Ehlo:
            case SmtpCommandKind.Helo:
                Helo = Truncate(SmtpCommandParser.Decode(args.TrimEnd((byte)' ')), 255);
                _current = null; // RFC 5321 §4.1.4: EHLO/HELO reset the transaction.
                break;

            case SmtpCommandKind.Mail:
            {
                var tx = NewTransaction(ts);
                _current = tx;
                cmd.Tx = tx;
                if (SmtpCommandParser.TryParsePath(args, "FROM"u8, out var path, out var parameters))
                {
                    tx.MailFrom = path;
                    SmtpCommandParser.ParseMailParameters(parameters, tx);
                }
                else _anomalies.Report(AnomalyStage.Smtp, "bad_mail_from");
                break;
            }

            case SmtpCommandKind.Rcpt:
            {
                var tx = _current ??= NewTransaction(ts);
                cmd.Tx = tx;
                if (!SmtpCommandParser.TryParsePath(args, "TO"u8, out var path, out _))
                {
                    _anomalies.Report(AnomalyStage.Smtp, "bad_rcpt_to");
                    break;
                }
                if (tx.RecipientCount >= _options.MaxRecipientsPerTransaction)
                {
                    // Not kept, but never unseen: the domain goes with the message for the rules.
                    if (tx.DroppedRecipients++ == 0) _anomalies.Report(AnomalyStage.Smtp, "too_many_recipients");
                    tx.AddCutRecipient(path);
                }
                else
                {
                    var kept = AddressText.KeepDomain(path, _options.MaxAddressChars, out bool shortened);
                    if (shortened && tx.ShortenedAddresses++ == 0) _anomalies.Report(AnomalyStage.Smtp, "address_too_long");
                    cmd.RcptIndex = tx.AddRecipient(kept);
                }
                break;
            }

            case SmtpCommandKind.Data:
            {
                var tx = _current ??= NewTransaction(ts);
                tx.DataCommand ??= "DATA";
                cmd.Tx = tx;
                _clientWait = ClientWait.Data;
                break;
            }

            case SmtpCommandKind.Bdat:
            {
                var tx = _current ??= NewTransaction(ts);
                tx.DataCommand ??= "BDAT";
                if (!SmtpCommandParser.TryParseBdat(args, out long size, out bool last))
                {
                    // Without a size the chunk can't be skipped: resynchronise on the next command line.
                    _anomalies.Report(AnomalyStage.Smtp, "bdat_bad_size");
                    tx.Incomplete = true;
                    _clientMode = ClientMode.Resync;
                    cmd.Kind = SmtpCommandKind.Unknown;
                    break;
                }
                _content = tx;
                _bdatRemaining = size;
                _bdatLast = last;
                _clientMode = ClientMode.Bdat;
                if (size == 0) FinishBdatChunk(tx, ts);
                return; // pushed when the chunk has been read: its reply follows the chunk.
            }

            case SmtpCommandKind.Rset:
                _current = null;
                break;

            case SmtpCommandKind.StartTls:
                _clientWait = ClientWait.StartTls;
                break;

            case SmtpCommandKind.Auth:
                cmd.Mechanism = SmtpCommandParser.ParseAuthMechanism(args);
                _clientWait = ClientWait.Auth;
                break;

            case SmtpCommandKind.Other:
                OtherCommandCount++;
                break;

            case SmtpCommandKind.Unknown:
                UnknownCommandCount++;
                _anomalies.Report(AnomalyStage.Smtp, line.IsEmpty ? "empty_command" : "unknown_command");
                break;
        }
        Push(cmd);
    }

    private void AuthResponseDone()
    {
        _clientMode = ClientMode.Command;
        if (_pendingCount > 0)
        {
            ref var head = ref _pending[_pendingHead];
            if (head.Kind == SmtpCommandKind.Auth && head.AwaitingClient)
            {
                head.AwaitingClient = false;
                _clientWait = ClientWait.Auth;
            }
        }
    }

    private SmtpTransactionBuilder NewTransaction(long ts)
    {
        int index = _transactionsStarted++;
        bool suppressed = index >= _options.MaxTransactionsPerSession;
        if (suppressed && index == _options.MaxTransactionsPerSession) _anomalies.Report(AnomalyStage.Smtp, "too_many_transactions");
        return new SmtpTransactionBuilder(index, suppressed ? 0 : _options.MaxHeaderBytes)
        {
            Suppressed = suppressed,
            Helo = Helo,
            AuthMechanism = AuthMechanism,
            InsideTls = InsideTls,
            StartTs = ts,
        };
    }

    private void StartDataContent(SmtpTransactionBuilder? tx)
    {
        tx ??= NewTransaction(0);
        _content = tx;
        tx.ContentState = SmtpContentState.LineStart;
        _clientMode = ClientMode.Data;
    }

    private void FinishDataContent(SmtpTransactionBuilder tx, long ts)
    {
        tx.EndTs = ts;
        _content = null;
        _clientMode = ClientMode.Command;
        if (_current == tx) _current = null;
        Push(new SmtpPendingCommand { Kind = SmtpCommandKind.DataEnd, Ts = ts, Tx = tx });
    }

    private void FinishBdatChunk(SmtpTransactionBuilder tx, long ts)
    {
        tx.EndTs = ts;
        _clientMode = ClientMode.Command;
        bool last = _bdatLast;
        if (last)
        {
            _content = null;
            if (_current == tx) _current = null;
        }
        Push(new SmtpPendingCommand { Kind = SmtpCommandKind.Bdat, Ts = ts, Tx = tx, Last = last });
    }

    private void Push(in SmtpPendingCommand cmd)
    {
        if (_pendingCount >= _maxPending) DropOldestPending();
        else if (_pendingCount == _pending.Length) GrowPending();
        _pending[(_pendingHead + _pendingCount) % _pending.Length] = cmd;
        _pendingCount++;
    }

    private void GrowPending()
    {
        var grown = new SmtpPendingCommand[Math.Min(_maxPending, _pending.Length * 2)];
        for (int i = 0; i < _pendingCount; i++) grown[i] = _pending[(_pendingHead + i) % _pending.Length];
        _pending = grown;
        _pendingHead = 0;
    }

    /// <summary>Zeek's smtp_excessive_pending_cmds: give up on the oldest command's reply.</summary>
    private void DropOldestPending()
    {
        _anomalies.Report(AnomalyStage.Smtp, "excessive_pending_cmds");
        var oldest = Pop();
        Complete(oldest, 0, oldest.Ts);
    }

    private SmtpPendingCommand Pop()
    {
        var cmd = _pending[_pendingHead];
        _pending[_pendingHead] = default;
        _pendingHead = (_pendingHead + 1) % _pending.Length;
        _pendingCount--;
        return cmd;
    }

    // ---------------------------------------------------------------- server direction

    private int ProcessServer(ReadOnlySpan<byte> data, long ts)
    {
        int pos = 0;
        while (pos < data.Length && !_serverTls)
        {
            if (!_inReply && !_serverResync && !_serverForce && !_serverLines.HasPartial && ServerMustWait(data[pos..]))
                break;
            var status = _serverLines.TryRead(data, ref pos, out var line);
            if (status == SmtpLineStatus.Line) OnServerLine(line, ts);
        }
        return pos;
    }

    /// <summary>At the start of a reply: wait while no command is there for it to answer (the client side lags).</summary>
    private bool ServerMustWait(ReadOnlySpan<byte> next)
    {
        if (_pendingCount > 0) return _pending[_pendingHead].AwaitingClient;
        if (_sawServerReply) return true;
        // The first reply of a session needs no command when it is the 220 greeting.
        int n = Math.Min(3, next.Length);
        return !next[..n].SequenceEqual("220"u8[..n]);
    }

    private void OnServerLine(ReadOnlySpan<byte> line, long ts)
    {
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        else if (!_serverBareLfReported)
        {
            _serverBareLfReported = true;
            _anomalies.Report(AnomalyStage.Smtp, "bare_lf");
        }

        bool wellFormed = line.Length >= 3 && char.IsAsciiDigit((char)line[0]) && char.IsAsciiDigit((char)line[1])
                          && char.IsAsciiDigit((char)line[2]) && (line.Length == 3 || line[3] is (byte)' ' or (byte)'-');
        if (_serverResync)
        {
            if (!wellFormed) return;
            _serverResync = false;
        }
        if (!wellFormed)
        {
            _anomalies.Report(AnomalyStage.Smtp, "bad_reply_line");
            return;
        }

        int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        bool final = line.Length == 3 || line[3] == ' ';
        var text = line.Length > 4 ? line[4..] : default;

        if (!_inReply)
        {
            _inReply = true;
            _replyCode = code;
            _replyHasTarget = _pendingCount > 0 && !_pending[_pendingHead].AwaitingClient;
            // Picked up mid-stream, the first reply may answer a command sent before the capture began: it can't
            // answer one sent after it. Checked for the first reply only, so capture-time jitter can't break a session.
            if (_replyHasTarget && !_sawServerReply && _pending[_pendingHead].Ts > ts) _replyHasTarget = false;
            // A first reply of 220 is the greeting, unless it answers STARTTLS (only 220 reply a command gets):
            // with the client fed first, EHLO may already be pending when the greeting is read.
            if (_replyHasTarget && !_sawServerReply && code == 220 && _pending[_pendingHead].Kind != SmtpCommandKind.StartTls)
                _replyHasTarget = false;
            // A reply that can't answer the head command answers one we never saw (gap, mid-stream pickup).
            if (_replyHasTarget && !IsPlausible(_pending[_pendingHead].Kind, code)) _replyHasTarget = false;
            if (_replyHasTarget && _pending[_pendingHead].Kind == SmtpCommandKind.Ehlo) (_capsBuilding ??= []).Clear();
            if (!_replyHasTarget && !_sawServerReply && code == 220)
            {
                SawBanner = true;
                int sp = text.IndexOfAny((byte)' ', (byte)'\t');
                BannerHost = Truncate(SmtpCommandParser.Decode(sp < 0 ? text : text[..sp]), 255);
            }
        }
        else
        {
            if (code != _replyCode) _anomalies.Report(AnomalyStage.Smtp, "reply_code_mismatch");
            if (_replyHasTarget && _pending[_pendingHead].Kind == SmtpCommandKind.Ehlo && _capsBuilding!.Count < _options.MaxCapabilities)
            {
                var kw = SmtpCommandParser.TrimStart(text);
                int sp = kw.IndexOfAny((byte)' ', (byte)'=');
                if (sp >= 0) kw = kw[..sp];
                if (!kw.IsEmpty) _capsBuilding.Add(Truncate(Encoding.ASCII.GetString(kw).ToUpperInvariant(), 64));
            }
        }

        if (!final) return;
        _inReply = false;
        bool first = !_sawServerReply;
        _sawServerReply = true;
        if (!_replyHasTarget)
        {
            if (!(first && _replyCode == 220) && _replyCode != 421) _anomalies.Report(AnomalyStage.Smtp, "reply_without_command");
            return;
        }
        ref var head = ref _pending[_pendingHead];
        if (head.Kind == SmtpCommandKind.Auth && _replyCode == 334 && !head.Assumed)
        {
            // SASL challenge (RFC 4954 §4): the client's next line is a response, not a command.
            head.AwaitingClient = true;
            _clientWait = ClientWait.None;
            _clientMode = ClientMode.AuthResponse;
            return;
        }
        var cmd = Pop();
        Complete(cmd, _replyCode, ts);
    }

    /// <summary>Reply codes each command can get (RFC 5321 §4.3.2, RFC 3207, RFC 4954).</summary>
    private static bool IsPlausible(SmtpCommandKind kind, int code) => kind switch
    {
        SmtpCommandKind.Data => code == 354 || code >= 400,
        SmtpCommandKind.StartTls => code == 220 || code >= 400,
        SmtpCommandKind.Auth => code is 334 or 235 || code >= 400,
        SmtpCommandKind.Other or SmtpCommandKind.Unknown => true,
        _ => code is not (354 or 334 or 220),
    };

    /// <summary>Applies a reply (or 0: reply never seen) to its command.</summary>
    private void Complete(in SmtpPendingCommand cmd, int code, long ts)
    {
        switch (cmd.Kind)
        {
            case SmtpCommandKind.Ehlo:
                if (code is >= 200 and < 300) _capabilities = [.. _capsBuilding ?? []];
                break;
            case SmtpCommandKind.Mail:
                cmd.Tx!.MailFromReplyCode = code;
                break;
            case SmtpCommandKind.Rcpt:
                cmd.Tx?.SetRecipientCode(cmd.RcptIndex, code);
                break;
            case SmtpCommandKind.Data:
                if (cmd.Assumed) break;
                if (code is 354 or 0)
                {
                    _clientWait = ClientWait.None;
                    StartDataContent(cmd.Tx);
                }
                else
                {
                    // 503/554: no content follows; the transaction stays open for more RCPT or RSET.
                    cmd.Tx!.DataReplyCode = code;
                    _clientWait = ClientWait.None;
                }
                break;
            case SmtpCommandKind.DataEnd:
                cmd.Tx!.DataReplyCode = code;
                Emit(cmd.Tx);
                break;
            case SmtpCommandKind.Bdat:
                if (cmd.Last)
                {
                    cmd.Tx!.DataReplyCode = code;
                    Emit(cmd.Tx);
                }
                break;
            case SmtpCommandKind.Auth:
                if (code == 235 || code == 0) AuthMechanism = cmd.Mechanism;
                if (!cmd.Assumed)
                {
                    _clientWait = ClientWait.None;
                    _clientMode = ClientMode.Command;
                }
                break;
            case SmtpCommandKind.StartTls:
                if (code == 220)
                {
                    // RFC 3207 §4: TLS negotiation starts right after this reply.
                    _serverTls = true;
                    if (!_clientTls)
                    {
                        _clientTls = true;
                        _clientMode = ClientMode.Tls;
                        MoveHoldToTls(FlowDirection.ClientToServer);
                    }
                    _clientWait = ClientWait.None;
                }
                else if (!cmd.Assumed) _clientWait = ClientWait.None;
                break;
        }
    }

    private void Emit(SmtpTransactionBuilder tx)
    {
        if (tx.Emitted) return;
        tx.Emitted = true;
        _handler.OnTransaction(tx.Build());
    }

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
        for (int guard = 0; (_clientHold.Length > 0 || _clientWait != ClientWait.None) && guard < 100_000 && !_clientTls; guard++)
        {
            ForceClient();
            Pump();
        }
        if (_clientTls) return;
        _clientLines.Reset();
        switch (_clientMode)
        {
            case ClientMode.Data:
                _anomalies.Report(AnomalyStage.Smtp, "gap_in_data");
                SmtpContentParser.AfterGap(_content!, missing);
                break;
            case ClientMode.Bdat:
                _anomalies.Report(AnomalyStage.Smtp, "gap_in_data");
                if (missing < _bdatRemaining)
                {
                    _bdatRemaining -= missing;
                    SmtpContentParser.AfterGap(_content!, missing);
                }
                else
                {
                    SmtpContentParser.AfterGap(_content!, _bdatRemaining);
                    _bdatRemaining = 0;
                    FinishBdatChunk(_content!, 0);
                    _clientMode = ClientMode.Resync;
                }
                break;
            case ClientMode.AuthResponse:
                AuthResponseDone();
                _clientMode = ClientMode.Resync;
                break;
            default:
                _anomalies.Report(AnomalyStage.Smtp, "gap_in_commands");
                if (_current is not null) _current.Incomplete = true; // an RCPT may be in the hole
                _clientMode = ClientMode.Resync;
                break;
        }
    }

    private void ServerGap()
    {
        if (_serverHold.Length > 0) ForceServer();
        if (_serverTls) return;
        _anomalies.Report(AnomalyStage.Smtp, "gap_in_replies");
        _serverLines.Reset();
        _inReply = false;
        _serverResync = true;
        _sawServerReply = true;
        // The replies to everything pending may be in the hole: settle them as "no reply seen".
        while (_pendingCount > 0)
        {
            var cmd = Pop();
            Complete(cmd, 0, cmd.Ts);
        }
        Pump();
    }

    /// <summary>The connection ended: parse what is held, emit finished messages (DATA reply missing → code 0).</summary>
    public void OnClose(long timestampNs)
    {
        if (_closed) return;
        for (int guard = 0; guard < 100_000; guard++)
        {
            bool progress = false;
            if (_serverHold.Length > 0 && !_serverTls) { ForceServer(); progress = true; }
            if (_clientHold.Length > 0 && !_clientTls)
            {
                if (ClientBlocked) ForceClient();
                progress |= Pump();
            }
            if (!progress) break;
        }
        while (_pendingCount > 0)
        {
            var cmd = Pop();
            if (cmd.Kind == SmtpCommandKind.DataEnd || (cmd.Kind == SmtpCommandKind.Bdat && cmd.Last))
            {
                cmd.Tx!.DataReplyCode = 0;
                Emit(cmd.Tx);
            }
            else if (cmd.Kind == SmtpCommandKind.Auth) AuthMechanism ??= cmd.Mechanism;
        }
        if (_content is { ContentStarted: true } open && _clientMode is ClientMode.Data or ClientMode.Bdat)
        {
            // The capture ended inside the content.
            open.Incomplete = true;
            open.EndTs = timestampNs;
            Emit(open);
        }
        _closed = true;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    private enum ClientMode : byte
    {
        Command,
        /// <summary>After a gap: skip lines until one starts with a known verb.</summary>
        Resync,
        /// <summary>After 334: the next line is a SASL response.</summary>
        AuthResponse,
        Data,
        Bdat,
        Tls,
    }

    private enum ClientWait : byte
    {
        None,
        Data,
        StartTls,
        Auth,
    }
}
