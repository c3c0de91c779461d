using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// The RFC 5321 state machine of one connection: client commands (and DATA/BDAT content, SASL responses), server
/// replies matched to commands FIFO (RFC 2920), and the transactions they make. It parses whatever it is given and
/// stops where a direction needs the other one (<see cref="ISmtpConversation"/>); <see cref="SmtpDirectionScheduler"/>
/// decides what it is given when.
/// </summary>
internal sealed class SmtpConversation : ISmtpConversation
{
    private readonly SmtpOptions _options;
    private readonly ISmtpTransactionHandler _handler;
    private readonly IAnomalySink _anomalies;

    private readonly SmtpLineReader _clientLines;
    private readonly SmtpLineReader _serverLines;
    private readonly SmtpPendingQueue _pending;

    // Client direction.
    private ClientMode _clientMode = ClientMode.Command;
    private ClientWait _clientWait = ClientWait.None;
    private SmtpTransactionBuilder? _current;   // receives MAIL/RCPT/DATA/BDAT commands
    private SmtpTransactionBuilder? _content;   // receives DATA content or BDAT chunks
    private long _bdatRemaining;
    private bool _bdatLast;
    private bool _clientTls;
    private bool _clientBareLfReported;

    // Server direction.
    private bool _serverTls;
    private bool _serverResync;
    private bool _inReply;
    private int _replyCode;
    private bool _replyHasTarget;
    private bool _sawServerReply;
    private bool _serverBareLfReported;
    private List<string>? _capsBuilding;    // keywords of the EHLO reply being read; dropped when it ends

    private string[] _capabilities = [];

    public SmtpConversation(SmtpOptions options, ISmtpTransactionHandler handler, IAnomalySink anomalies)
    {
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        _clientLines = new SmtpLineReader(options.MaxLineBytes, anomalies);
        _serverLines = new SmtpLineReader(options.MaxLineBytes, anomalies);
        _pending = new SmtpPendingQueue(options.MaxPendingCommands);
    }

    public bool InsideTls { get; set; }
    public string? BannerHost { get; private set; }
    public bool SawBanner { get; private set; }
    public string? Helo { get; private set; }
    public IReadOnlyList<string> Capabilities => _capabilities;
    public string? AuthMechanism { get; private set; }
    public int TransactionCount { get; private set; }
    public int UnknownCommandCount { get; private set; }
    public int OtherCommandCount { get; private set; }
    public bool TlsSwitchPending => _clientWait == ClientWait.StartTls;

    /// <summary>Commands in flight (for tests of the ring's growth).</summary>
    internal SmtpPendingQueue Pending => _pending;

    public bool ClientIsTls => _clientTls;
    public bool ServerIsTls => _serverTls;

    /// <summary>
    /// The client waits on a reply: one that decides what its next bytes mean, or any reply when
    /// <see cref="SmtpOptions.MaxPendingCommands"/> commands are already in flight (the server side lags).
    /// </summary>
    public bool ClientBlocked =>
        _clientWait != ClientWait.None
        || (_pending.IsFull && _clientMode is ClientMode.Command or ClientMode.Resync);

    public bool ClientAwaitsReply => _clientWait != ClientWait.None;

    public void AssumeUsualReply()
    {
        if (_clientWait == ClientWait.None || _pending.Count == 0)
        {
            _clientWait = ClientWait.None;
            if (_pending.IsFull) DropOldestPending();
            return;
        }
        ref var last = ref _pending.Newest;
        last.Assumed = true;
        switch (_clientWait)
        {
            case ClientWait.Data:
                _clientWait = ClientWait.None;
                StartDataContent(last.Tx);
                break;
            case ClientWait.StartTls:
                _clientWait = ClientWait.None;
                SwitchClientToTls();
                break;
            default:
                _clientWait = ClientWait.None;
                _clientMode = ClientMode.Command;
                break;
        }
    }

    // ---------------------------------------------------------------- client direction

    public int ParseClient(ReadOnlySpan<byte> data, long ts)
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
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BareLf);
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
                Helo = Truncate(SmtpCommandParser.Decode(args.TrimEnd((byte)' ')), SmtpOptions.MaxHostChars);
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
                else _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BadMailFrom);
                break;
            }

            case SmtpCommandKind.Rcpt:
            {
                var tx = _current ??= NewTransaction(ts);
                cmd.Tx = tx;
                if (!SmtpCommandParser.TryParsePath(args, "TO"u8, out var path, out _))
                {
                    _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BadRcptTo);
                    break;
                }
                if (tx.RecipientCount >= _options.MaxRecipientsPerTransaction)
                {
                    // Not kept, but never unseen: the domain goes with the message for the rules.
                    if (tx.DroppedRecipients++ == 0) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.TooManyRecipients);
                    tx.AddCutRecipient(path);
                }
                else
                {
                    var kept = AddressText.KeepDomain(path, _options.MaxAddressChars, out bool shortened);
                    if (shortened && tx.ShortenedAddresses++ == 0) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.AddressTooLong);
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
                    _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BdatBadSize);
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
                _anomalies.Report(AnomalyStage.Smtp, line.IsEmpty ? SmtpAnomalies.EmptyCommand : SmtpAnomalies.UnknownCommand);
                break;
        }
        Push(cmd);
    }

    private void AuthResponseDone()
    {
        _clientMode = ClientMode.Command;
        if (_pending.Count > 0)
        {
            ref var head = ref _pending.Head;
            if (head.Kind == SmtpCommandKind.Auth && head.AwaitingClient)
            {
                head.AwaitingClient = false;
                _clientWait = ClientWait.Auth;
            }
        }
    }

    private SmtpTransactionBuilder NewTransaction(long ts)
    {
        int index = TransactionCount++;
        bool suppressed = index >= _options.MaxTransactionsPerSession;
        if (suppressed && index == _options.MaxTransactionsPerSession) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.TooManyTransactions);
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

    private void SwitchClientToTls()
    {
        _clientTls = true;
        _clientMode = ClientMode.Tls;
    }

    private void Push(in SmtpPendingCommand cmd)
    {
        if (_pending.IsFull) DropOldestPending();
        _pending.Push(cmd);
    }

    /// <summary>Zeek's smtp_excessive_pending_cmds: give up on the oldest command's reply.</summary>
    private void DropOldestPending()
    {
        _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.ExcessivePendingCmds);
        var oldest = _pending.Pop();
        Complete(oldest, 0, oldest.Ts);
    }

    // ---------------------------------------------------------------- server direction

    public int ParseServer(ReadOnlySpan<byte> data, long ts, bool force)
    {
        int pos = 0;
        while (pos < data.Length && !_serverTls)
        {
            if (!_inReply && !_serverResync && !force && !_serverLines.HasPartial && ServerMustWait(data[pos..]))
                break;
            var status = _serverLines.TryRead(data, ref pos, out var line);
            if (status == SmtpLineStatus.Line) OnServerLine(line, ts);
        }
        return pos;
    }

    /// <summary>At the start of a reply: wait while no command is there for it to answer (the client side lags).</summary>
    private bool ServerMustWait(ReadOnlySpan<byte> next)
    {
        if (_pending.Count > 0) return _pending.Head.AwaitingClient;
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
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BareLf);
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
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BadReplyLine);
            return;
        }

        int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        bool final = line.Length == 3 || line[3] == ' ';
        var text = line.Length > 4 ? line[4..] : default;

        if (!_inReply)
        {
            _inReply = true;
            _replyCode = code;
            _replyHasTarget = _pending.Count > 0 && !_pending.Head.AwaitingClient;
            // Picked up mid-stream, the first reply may answer a command sent before the capture began: it can't
            // answer one sent after it. Checked for the first reply only, so capture-time jitter can't break a session.
            if (_replyHasTarget && !_sawServerReply && _pending.Head.Ts > ts) _replyHasTarget = false;
            // A first reply of 220 is the greeting, unless it answers STARTTLS (only 220 reply a command gets):
            // with the client fed first, EHLO may already be pending when the greeting is read.
            if (_replyHasTarget && !_sawServerReply && code == 220 && _pending.Head.Kind != SmtpCommandKind.StartTls)
                _replyHasTarget = false;
            // A reply that can't answer the head command answers one we never saw (gap, mid-stream pickup).
            if (_replyHasTarget && !IsPlausible(_pending.Head.Kind, code)) _replyHasTarget = false;
            if (_replyHasTarget && _pending.Head.Kind == SmtpCommandKind.Ehlo) (_capsBuilding ??= []).Clear();
            if (!_replyHasTarget && !_sawServerReply && code == 220)
            {
                SawBanner = true;
                int sp = text.IndexOfAny((byte)' ', (byte)'\t');
                BannerHost = Truncate(SmtpCommandParser.Decode(sp < 0 ? text : text[..sp]), SmtpOptions.MaxHostChars);
            }
        }
        else
        {
            if (code != _replyCode) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.ReplyCodeMismatch);
            if (_replyHasTarget && _pending.Head.Kind == SmtpCommandKind.Ehlo && _capsBuilding is { } caps && caps.Count < _options.MaxCapabilities)
            {
                var kw = SmtpCommandParser.TrimStart(text);
                int sp = kw.IndexOfAny((byte)' ', (byte)'=');
                if (sp >= 0) kw = kw[..sp];
                if (!kw.IsEmpty) caps.Add(SmtpCapabilityNames.For(kw));
            }
        }

        if (!final) return;
        _inReply = false;
        bool first = !_sawServerReply;
        _sawServerReply = true;
        if (!_replyHasTarget)
        {
            if (!(first && _replyCode == 220) && _replyCode != 421) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.ReplyWithoutCommand);
            return;
        }
        ref var head = ref _pending.Head;
        if (head.Kind == SmtpCommandKind.Auth && _replyCode == 334 && !head.Assumed)
        {
            // SASL challenge (RFC 4954 §4): the client's next line is a response, not a command.
            head.AwaitingClient = true;
            _clientWait = ClientWait.None;
            _clientMode = ClientMode.AuthResponse;
            return;
        }
        var cmd = _pending.Pop();
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
                if (code is >= 200 and < 300)
                {
                    // Only a seen reply gets here (code 0 never does), so no EHLO reply is in progress: let the list go.
                    _capabilities = _capsBuilding?.ToArray() ?? [];
                    _capsBuilding = null;
                }
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
                    // RFC 3207 §4: TLS negotiation starts right after this reply, in both directions.
                    _serverTls = true;
                    if (!_clientTls) SwitchClientToTls();
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

    public void OnClientGap(long missing)
    {
        _clientLines.Reset();
        switch (_clientMode)
        {
            case ClientMode.Data:
                _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.GapInData);
                SmtpContentParser.AfterGap(_content!, missing);
                break;
            case ClientMode.Bdat:
                _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.GapInData);
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
                _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.GapInCommands);
                if (_current is not null) _current.Incomplete = true; // an RCPT may be in the hole
                _clientMode = ClientMode.Resync;
                break;
        }
    }

    public void OnServerGap()
    {
        _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.GapInReplies);
        _serverLines.Reset();
        _inReply = false;
        _serverResync = true;
        _sawServerReply = true;
        // The replies to everything pending may be in the hole: settle them as "no reply seen".
        while (_pending.Count > 0)
        {
            var cmd = _pending.Pop();
            Complete(cmd, 0, cmd.Ts);
        }
    }

    public void OnClose(long ts)
    {
        while (_pending.Count > 0)
        {
            var cmd = _pending.Pop();
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
            open.EndTs = ts;
            Emit(open);
        }
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
