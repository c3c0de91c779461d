using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// The RFC 5321 state machine of one connection: client commands (and DATA/BDAT content, SASL responses), server
/// replies matched to commands FIFO (RFC 2920), and the transactions they make. It parses whatever it is given and
/// stops where a direction needs the other one (<see cref="ISmtpConversation"/>); <see cref="SmtpDirectionScheduler"/>
/// decides what it is given when.
/// <para>
/// A command changes the session only through its reply (RFC 5321 §4.1.1, §4.1.4): MAIL opens the transaction, and
/// RSET/EHLO/HELO close it, only when the server says 2xx (or its reply is never seen); a refused MAIL leaves the
/// open transaction's sender alone; each RCPT is added with its reply code. The client runs ahead of the replies
/// (pipelining, or one direction fed before the other), so it builds on its own guess, "every command accepted":
/// that guess only decides which builder takes BDAT chunks before their replies; the envelope emitted is the server's.
/// </para>
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
    private SmtpTransactionBuilder? _current;   // the client's guess of the open transaction (all commands accepted)
    private SmtpTransactionBuilder? _txn;       // the transaction the server has open, by its replies
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
                case ClientMode.AfterStartTls:
                    DecideAfterStartTls(data[pos], fromClient: true);
                    break;
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
        var cmd = new SmtpPendingCommand { Kind = kind, Ts = ts };
        switch (kind)
        {
            case SmtpCommandKind.Ehlo:
            case SmtpCommandKind.Helo:
                cmd.Argument = Truncate(SmtpCommandParser.Decode(args.TrimEnd((byte)' ')), SmtpOptions.MaxHostChars);
                _current = null; // RFC 5321 §4.1.4: EHLO/HELO reset the transaction (if accepted: see Complete).
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
                cmd.Tx = _current ??= NewTransaction(ts);
                if (SmtpCommandParser.TryParsePath(args, "TO"u8, out var path, out _)) cmd.Argument = path;
                else _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BadRcptTo);
                break;
            }

            case SmtpCommandKind.Data:
                cmd.Tx = _current ??= NewTransaction(ts);
                _clientWait = ClientWait.Data;
                break;

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
                cmd.Argument = SmtpCommandParser.ParseAuthMechanism(args);
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
        tx.DataCommand ??= "DATA";
        _content = tx;
        tx.ContentState = SmtpContentState.LineStart;
        _clientMode = ClientMode.Data;
    }

    private void FinishDataContent(SmtpTransactionBuilder tx, long ts)
    {
        tx.EndTs = ts;
        _content = null;
        _clientMode = ClientMode.Command;
        _current = null;
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

    /// <summary>
    /// After 220 to STARTTLS, the first byte of either direction: TLS unless it starts an SMTP line (a command verb
    /// from the client, a reply code from the server); a TLS record starts with its content type, 0x14-0x17.
    /// </summary>
    private void DecideAfterStartTls(byte first, bool fromClient)
    {
        bool clear = fromClient ? char.IsAsciiLetter((char)first) : char.IsAsciiDigit((char)first);
        if (!clear)
        {
            _serverTls = true;
            SwitchClientToTls();
            return;
        }
        _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.StartTlsNotFollowedByTls);
        _clientMode = ClientMode.Command;
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
            if (_clientMode == ClientMode.AfterStartTls)
            {
                DecideAfterStartTls(data[pos], fromClient: false);
                continue;
            }
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

    /// <summary>
    /// Applies a reply (or 0: reply never seen) to its command. Only here does a command change the session: the
    /// server's open transaction, the HELO name, the capabilities, the AUTH mechanism (RFC 5321 §4.1.4).
    /// </summary>
    private void Complete(in SmtpPendingCommand cmd, int code, long ts)
    {
        switch (cmd.Kind)
        {
            case SmtpCommandKind.Ehlo:
            case SmtpCommandKind.Helo:
                if (!Accepted(code)) break; // 5xx: the server keeps its state, an open transaction too
                Helo = cmd.Argument;
                _txn = null;
                if (code != 0 && cmd.Kind == SmtpCommandKind.Ehlo)
                {
                    // A seen reply, so no EHLO reply is in progress: let the list go.
                    _capabilities = _capsBuilding?.ToArray() ?? [];
                    _capsBuilding = null;
                }
                break;
            case SmtpCommandKind.Rset:
                if (Accepted(code)) _txn = null;
                break;
            case SmtpCommandKind.Mail:
                cmd.Tx!.MailFromReplyCode = code;
                // A refused MAIL (503 nested MAIL, 550...) leaves the open transaction, and its sender, as they were.
                if (Accepted(code)) Open(cmd.Tx);
                break;
            case SmtpCommandKind.Rcpt:
            {
                var tx = OpenTransaction(cmd);
                if (cmd.Argument is { } path) AddRecipient(tx, path, code);
                break;
            }
            case SmtpCommandKind.Data:
            {
                var tx = OpenTransaction(cmd);
                if (cmd.Assumed) break; // the content already went to the client's guess (held bytes overflowed)
                _clientWait = ClientWait.None;
                if (code is 354 or 0) StartDataContent(tx);
                else
                {
                    // 503/554: no content follows; the transaction stays open for more RCPT or RSET.
                    tx.DataCommand ??= "DATA";
                    tx.DataReplyCode = code;
                }
                break;
            }
            case SmtpCommandKind.DataEnd:
                // RFC 5321 §4.1.1.4: the end of the data closes the transaction, whatever the reply.
                cmd.Tx!.DataReplyCode = code;
                Emit(cmd.Tx, _txn);
                _txn = null;
                break;
            case SmtpCommandKind.Bdat:
            {
                var tx = OpenTransaction(cmd);
                if (cmd.Last)
                {
                    cmd.Tx!.DataReplyCode = code;
                    Emit(cmd.Tx, tx);
                    _txn = null;
                }
                break;
            }
            case SmtpCommandKind.Auth:
                if (code == 235 || code == 0) AuthMechanism = cmd.Argument;
                if (!cmd.Assumed)
                {
                    _clientWait = ClientWait.None;
                    _clientMode = ClientMode.Command;
                }
                break;
            case SmtpCommandKind.StartTls:
                if (code == 220)
                {
                    // RFC 3207 §4: TLS negotiation starts right after this reply, in both directions; the first byte
                    // either side sends next tells whether it really does (a capture exported after decryption, or
                    // a client that gives up, goes on in the clear).
                    _clientWait = ClientWait.None;
                    if (_clientTls) _serverTls = true; // the client's bytes were already taken as TLS (forced)
                    else _clientMode = ClientMode.AfterStartTls;
                }
                else if (!cmd.Assumed) _clientWait = ClientWait.None;
                break;
        }
    }

    /// <summary>2xx, or no reply seen (counted as accepted, like a recipient's).</summary>
    private static bool Accepted(int code) => code is 0 or (>= 200 and < 300);

    /// <summary>The server's open transaction; a command that needs one without it (MAIL never seen, or refused)
    /// opens the one the client built it on, as the server would not have answered it otherwise.</summary>
    private SmtpTransactionBuilder OpenTransaction(in SmtpPendingCommand cmd) => _txn ?? Open(cmd.Tx ?? NewTransaction(cmd.Ts));

    /// <summary>The server accepted the transaction: it takes the session's state of now, not of when it was sent.</summary>
    private SmtpTransactionBuilder Open(SmtpTransactionBuilder tx)
    {
        tx.Helo = Helo;
        tx.AuthMechanism = AuthMechanism;
        return _txn = tx;
    }

    private void AddRecipient(SmtpTransactionBuilder tx, string path, int code)
    {
        if (tx.RecipientCount >= _options.MaxRecipientsPerTransaction)
        {
            // Not kept, but never unseen: the domain goes with the message for the rules.
            if (tx.DroppedRecipients++ == 0) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.TooManyRecipients);
            tx.AddCutRecipient(path);
            return;
        }
        var kept = AddressText.KeepDomain(path, _options.MaxAddressChars, out bool shortened);
        if (shortened && tx.ShortenedAddresses++ == 0) _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.AddressTooLong);
        tx.AddRecipient(kept, code);
    }

    /// <summary>Emits <paramref name="content"/> with the envelope of the server's transaction (its own if none).</summary>
    private void Emit(SmtpTransactionBuilder content, SmtpTransactionBuilder? envelope)
    {
        if (content.Emitted) return;
        content.Emitted = true;
        _handler.OnTransaction(content.Build(envelope ?? content));
    }

    // ---------------------------------------------------------------- gaps and close

    public void OnClientGap(long missing)
    {
        _clientLines.Reset();
        switch (_clientMode)
        {
            case ClientMode.AfterStartTls:
                // The byte that would tell is lost: the usual outcome.
                _serverTls = true;
                SwitchClientToTls();
                break;
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
                // An RCPT may be in the hole.
                if (_current is not null) _current.Incomplete = true;
                if (_txn is not null) _txn.Incomplete = true;
                _clientMode = ClientMode.Resync;
                break;
        }
    }

    public void OnServerGap()
    {
        if (_clientMode == ClientMode.AfterStartTls)
        {
            // The byte that would tell is lost: the usual outcome.
            _serverTls = true;
            SwitchClientToTls();
            return;
        }
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
        // Replies never seen: each command as if accepted, in order, so the envelope is what the server would hold.
        while (_pending.Count > 0)
        {
            var cmd = _pending.Pop();
            if (cmd.Kind == SmtpCommandKind.Auth) AuthMechanism ??= cmd.Argument;
            else Complete(cmd, 0, cmd.Ts);
        }
        if (_content is { ContentStarted: true } open && _clientMode is ClientMode.Data or ClientMode.Bdat)
        {
            // The capture ended inside the content.
            open.Incomplete = true;
            open.EndTs = ts;
            Emit(open, _txn);
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
        /// <summary>After 220 to STARTTLS, until the first byte of either direction says TLS or not.</summary>
        AfterStartTls,
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
