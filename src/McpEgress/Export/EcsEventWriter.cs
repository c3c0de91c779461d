using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using McpEgress.Decode;
using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Export;

/// <summary>
/// Writes messages and alerts as Elastic Common Schema events, one JSON object per line (NDJSON, UTF-8).
/// Field list: ECS-SCHEMA.md next to this file. Absent values are omitted, never written as null; empty address
/// lists are omitted too. Each line is built in memory and written with one <see cref="Stream.Write(ReadOnlySpan{byte})"/>,
/// so a reader never sees half an event. Safe to call from several threads (calls are serialized).
/// </summary>
public sealed class EcsEventWriter : IDisposable
{
    /// <summary>Elastic detection-rule convention for <c>event.severity</c>.</summary>
    public static int SeverityNumber(Severity s) => s switch
    {
        Severity.Low => 21,
        Severity.Medium => 47,
        Severity.High => 73,
        _ => 99,
    };

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Keep non-ASCII names readable; control characters and quotes are still escaped, so '\n' only ends lines.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly Stream _stream;
    private readonly EcsWriterOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly Lock _lock = new();
    private bool _disposed;

    public EcsEventWriter(Stream stream, EcsWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _options = options ?? new EcsWriterOptions();
        _json = new Utf8JsonWriter(_buffer, JsonOptions);
    }

    public long EventsWritten { get; private set; }

    // A full disk, /dev/full, a closed pipe: output failures are counted here, never thrown into the pipeline (which
    // would count them as internal errors of the packet at hand). The next event tries again.

    /// <summary>Events that could not be written (the stream threw <see cref="IOException"/>); they are lost.</summary>
    public long EventsDropped { get; private set; }

    /// <summary>Failed writes and flushes.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>The latest write failure's message (one line), or null if none ever failed.</summary>
    public string? LastWriteError { get; private set; }

    /// <summary>True after a failed write or flush, until an event is written again.</summary>
    public bool Failing { get; private set; }

    /// <summary>One <c>event.kind: event</c> line for a message.</summary>
    public void WriteMessage(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var doc = new EcsObject();
        doc.Set("@timestamp", Timestamp(message.TimestampNs));
        doc.Set("event.kind", "event");
        doc.Set("event.module", "mcp_egress");
        doc.Set("event.dataset", "mcp_egress.email");
        doc.Set("event.category", new[] { "email" });
        doc.Set("event.type", new[] { "info" });
        var (action, outcome) = Delivery(message);
        doc.Set("event.action", action);
        doc.Set("event.outcome", outcome);
        AddMessageFields(doc, message);
        Emit(doc);
    }

    /// <summary>One <c>event.kind: alert</c> line, carrying the same message fields as <see cref="WriteMessage"/>.</summary>
    public void WriteAlert(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var doc = new EcsObject();
        doc.Set("@timestamp", Timestamp(alert.Mail.TimestampNs));
        doc.Set("event.kind", "alert");
        doc.Set("event.module", "mcp_egress");
        doc.Set("event.dataset", "mcp_egress.alert");
        doc.Set("event.category", new[] { "email", "intrusion_detection" });
        doc.Set("event.type", new[] { "info" });
        doc.Set("event.action", alert.RuleId);
        doc.Set("event.severity", (long)SeverityNumber(alert.Severity));
        doc.Set("rule.id", alert.RuleId);
        doc.Set("rule.name", alert.RuleName);
        doc.Set("message", alert.Message);
        doc.Set("mcp_egress.alert.severity", alert.Severity.ToString().ToLowerInvariant());
        if (alert.Role != RecipientRole.None)
        {
            doc.Set("mcp_egress.alert.address", alert.Address.Address);
            doc.Set("mcp_egress.alert.role", alert.Role.ToName());
            doc.Set("mcp_egress.alert.domain", alert.Domain);
            if (alert.MatchCount > 1)
            {
                doc.Set("mcp_egress.alert.address_count", (long)alert.MatchCount);
                doc.Set("mcp_egress.alert.addresses", alert.Matches.Select(x => x.Address.Address).ToArray());
            }
        }
        AddMessageFields(doc, alert.Mail);
        Emit(doc);
    }

    /// <summary>
    /// One <c>event.category: network</c> line per TLS connection, decrypted or not, so opaque traffic to mail hosts
    /// stays visible: server name, ALPN, version, cipher, bytes each way, and whether the monitor could read it.
    /// </summary>
    public void WriteTlsSession(TlsSessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var info = record.Info;
        var doc = new EcsObject();
        doc.Set("@timestamp", Timestamp(record.StartTimestampNs));
        doc.Set("event.kind", "event");
        doc.Set("event.module", "mcp_egress");
        doc.Set("event.dataset", "mcp_egress.tls");
        doc.Set("event.category", new[] { "network" });
        doc.Set("event.type", new[] { "connection" });
        doc.Set("event.action", "tls-session");
        doc.Set("event.start", Timestamp(record.StartTimestampNs));
        doc.Set("event.end", Timestamp(record.EndTimestampNs));
        doc.Set("network.transport", "tcp");
        if (record.ApplicationProtocol is { } app) doc.Set("network.protocol", app);
        AddEndpoint(doc, "source", record.Source);
        AddEndpoint(doc, "destination", record.Destination);
        if (info.ServerName is { } sni)
        {
            doc.Set("tls.client.server_name", sni);
            doc.Set("destination.domain", sni);
        }
        if (TlsMessageFields.EcsVersion(info) is { } version)
        {
            doc.Set("tls.version_protocol", "tls");
            doc.Set("tls.version", version);
        }
        if (info.CipherSuiteName is { } cipher) doc.Set("tls.cipher", cipher);
        if (info.AlpnOffered.Count > 0) doc.Set("mcp_egress.tls.supported_protocols", info.AlpnOffered.ToArray()); // ALPN offered: no ECS field
        if (info.AlpnSelected is { } alpn) doc.Set("tls.next_protocol", alpn);
        doc.Set("tls.established", info.HandshakeComplete);
        doc.Set("tls.resumed", info.Resumed);
        doc.Set("source.bytes", info.Bytes(FlowDirection.ClientToServer));
        doc.Set("destination.bytes", info.Bytes(FlowDirection.ServerToClient));
        doc.Set("mcp_egress.tls.decrypted", info.Decrypted);
        doc.Set("mcp_egress.tls.starttls", record.StartTls);
        if (info.KeyUpdates > 0) doc.Set("mcp_egress.tls.key_updates", (long)info.KeyUpdates);
        if (info.HelloRetryRequest) doc.Set("mcp_egress.tls.hello_retry_request", true);
        doc.Set("mcp_egress.flow_id", record.FlowId);
        if (record.Annotation is { } fields)
            foreach (var (key, value) in fields) doc.Set(key, value);
        Emit(doc);
    }

    /// <summary>
    /// A send-like call to a mail API whose payload could not be read: the recipients are unknown, which a security
    /// team must see (<c>event.outcome: unknown</c>, the provider, the redacted URL and the reason).
    /// </summary>
    public void WriteMailApiUnreadable(MailApiUnreadableRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var doc = new EcsObject();
        doc.Set("@timestamp", Timestamp(r.TimestampNs));
        doc.Set("event.kind", "event");
        doc.Set("event.module", "mcp_egress");
        doc.Set("event.dataset", "mcp_egress.email");
        doc.Set("event.category", new[] { "email" });
        doc.Set("event.type", new[] { "info" });
        doc.Set("event.action", "email-unreadable");
        doc.Set("event.outcome", "unknown");
        doc.Set("event.reason", r.Reason);
        doc.Set("network.transport", "tcp");
        doc.Set("network.protocol", "http");
        AddEndpoint(doc, "source", r.Source);
        AddEndpoint(doc, "destination", r.Destination);
        if (r.ServerName is { } sni) doc.Set("destination.domain", sni);
        doc.Set("http.request.method", r.Method);
        doc.Set("http.version", r.HttpVersion.StartsWith("HTTP/", StringComparison.Ordinal) ? r.HttpVersion[5..] : r.HttpVersion);
        if (r.ResponseStatus > 0) doc.Set("http.response.status_code", (long)r.ResponseStatus);
        doc.Set("url.full", r.Url);
        doc.Set("mcp_egress.provider", r.Provider);
        doc.Set("mcp_egress.api.endpoint", r.Endpoint);
        doc.Set("mcp_egress.api.unreadable_reason", r.Reason);
        doc.Set("mcp_egress.flow_id", r.FlowId);
        Emit(doc);
    }

    /// <summary>Flushes the stream; a failure is counted (<see cref="WriteFailures"/>), not thrown.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_disposed) return;
            try { _stream.Flush(); }
            catch (IOException e) { Failed(e); }
        }
    }

    /// <summary>Flushes and closes; a failure is counted (<see cref="WriteFailures"/>), not thrown.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _json.Dispose();
            try { _stream.Flush(); }
            catch (IOException e) { Failed(e); }
            if (_options.LeaveOpen) return;
            try { _stream.Dispose(); } // a buffered FileStream flushes again here
            catch (IOException e) { Failed(e); }
        }
    }

    private void Failed(IOException e)
    {
        WriteFailures++;
        Failing = true;
        LastWriteError = e.Message.ReplaceLineEndings(" ");
    }

    /// <summary>ISO 8601 UTC with microseconds; nanoseconds are truncated (DateTime resolves 100 ns).</summary>
    internal static string Timestamp(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// event.action/outcome from the server's final answer: SMTP DATA/BDAT reply, or for HTTP the
    /// <c>http.response.status_code</c> in Extra. 2xx sent, 4xx/5xx rejected, otherwise (not seen) submitted.
    /// </summary>
    internal static (string Action, string Outcome) Delivery(MailMessage m)
    {
        long code = m.Envelope?.DataReplyCode ?? 0;
        if (code == 0 && m.Extra.TryGetValue("http.response.status_code", out var status))
            code = status switch { int i => i, long l => l, string s when long.TryParse(s, out var p) => p, _ => 0 };
        return code switch
        {
            >= 200 and < 300 => ("email-sent", "success"),
            >= 400 and < 600 => ("email-rejected", "failure"),
            _ => ("email-submitted", "unknown"),
        };
    }

    // Shared by messages and alerts: network, endpoints, email.*, mcp_egress.* and Extra, in that order.
    private void AddMessageFields(EcsObject doc, MailMessage m)
    {
        int max = _options.MaxAddressesPerEvent;
        long cut = 0;
        // Lists longer than the event cap are cut here (counted); the common short list passes through untouched.
        IEnumerable<T> Cap<T>(IEnumerable<T> items, int count)
        {
            if (count <= max) return items;
            cut += count - max;
            return items.Take(max);
        }
        string[] Addr(IReadOnlyList<MailAddress> list)
        {
            if (list.Count > max) cut += list.Count - max;
            return Addresses(list, max);
        }
        doc.Set("network.protocol", m.Transport == MailTransport.Smtp ? "smtp" : "http");
        doc.Set("network.transport", "tcp");
        AddEndpoint(doc, "source", m.Source);
        AddEndpoint(doc, "destination", m.Destination);
        doc.Set("destination.domain", m.ServerName);

        doc.Set("email.from.address", Addr(m.From));
        doc.Set("email.sender.address", m.Sender?.Address);
        doc.Set("email.reply_to.address", Addr(m.ReplyTo));
        doc.Set("email.to.address", Addr(m.To));
        doc.Set("email.cc.address", Addr(m.Cc));
        var hidden = m.Hidden;
        doc.Set("email.bcc.address", Cap(hidden.Select(h => h.Address.Address), hidden.Count).ToArray());
        doc.Set("email.subject", m.Subject);
        doc.Set("email.message_id", m.MessageId);

        doc.Set("mcp_egress.flow_id", m.FlowId);
        doc.Set("mcp_egress.provider", m.Provider);
        doc.Set("mcp_egress.hidden_count", (long)hidden.Count);
        doc.Set("mcp_egress.hidden_recipients", Cap(hidden.Select(h =>
        {
            var o = new EcsObject();
            o.Set("address", h.Address.Address);
            o.Set("reason", h.Reason == HiddenReason.BccField ? "bcc_field" : "envelope_only");
            return o;
        }), hidden.Count).ToList());
        doc.Set("mcp_egress.resent.to", Addr(m.ResentTo));
        doc.Set("mcp_egress.resent.cc", Addr(m.ResentCc));
        doc.Set("mcp_egress.resent.bcc", Addr(m.ResentBcc));
        doc.Set("mcp_egress.api.envelope", Addr(m.ApiEnvelope));

        if (m.Envelope is { } env)
        {
            doc.Set("mcp_egress.smtp.helo", env.Helo);
            doc.Set("mcp_egress.smtp.mail_from", env.MailFrom);
            if (env.MailFromReplyCode != 0) doc.Set("mcp_egress.smtp.mail_from_reply_code", (long)env.MailFromReplyCode);
            doc.Set("mcp_egress.smtp.rcpt_to", Cap(env.RcptTo.Select(r =>
            {
                var o = new EcsObject();
                o.Set("address", r.Address);
                if (r.ReplyCode != EnvelopeRecipient.NoReply) o.Set("reply_code", (long)r.ReplyCode);
                o.Set("accepted", r.Accepted);
                return o;
            }), env.RcptTo.Count).ToList());
            doc.Set("mcp_egress.smtp.auth_mechanism", env.AuthMechanism);
            doc.Set("mcp_egress.smtp.tls", env.Tls);
            doc.Set("mcp_egress.smtp.data_command", env.DataCommand);
            if (env.DataReplyCode != 0) doc.Set("mcp_egress.smtp.data_reply_code", (long)env.DataReplyCode);
            if (env.MessageBytes > 0) doc.Set("mcp_egress.smtp.message_bytes", env.MessageBytes);
        }

        var cutRecipients = m.CutRecipients.Count == 0 ? null : Cap(m.CutRecipients.Select(c =>
        {
            var o = new EcsObject();
            o.Set("domain", c.Domain);
            o.Set("count", c.Count);
            o.Set("may_be_hidden", c.MayBeHidden);
            return o;
        }), m.CutRecipients.Count).ToList();
        var truncations = m.Truncations;
        if (cut > 0)
            truncations = [.. truncations, new MessageTruncation("export.max_addresses_per_event", cut, "addresses not written in this event (detection saw them all)")];
        if (truncations.Count > 0)
        {
            doc.Set("mcp_egress.truncated", truncations.Select(t =>
            {
                var o = new EcsObject();
                o.Set("limit", t.Limit);
                o.Set("cut", t.ItemsCut);
                o.Set("what", t.What);
                return o;
            }).ToList());
            doc.Set("mcp_egress.cut_recipients", cutRecipients);
        }

        // Protocol-specific facts (http.request.method, url.full, tls.version...). Fixed fields above win on conflict.
        foreach (var (key, value) in m.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            doc.Set(key, value);
    }

    private static void AddEndpoint(EcsObject doc, string prefix, Endpoint ep)
    {
        if (ep == default) return;
        doc.Set(prefix + ".ip", ep.Address.ToString());
        if (ep.Port != 0) doc.Set(prefix + ".port", (long)ep.Port);
    }

    private static string[] Addresses(IReadOnlyList<MailAddress> list, int max)
    {
        if (list.Count == 0) return [];
        var result = new List<string>(Math.Min(list.Count, max));
        foreach (var a in list)
        {
            if (result.Count >= max) break;
            if (a.Address.Length > 0) result.Add(a.Address);
        }
        return result.ToArray();
    }

    private void Emit(EcsObject doc)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            doc.WriteTo(_json);
            _json.Flush();
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
            try
            {
                _stream.Write(_buffer.WrittenSpan);
                if (_options.FlushEachLine) _stream.Flush();
            }
            catch (IOException e)
            {
                Failed(e);
                EventsDropped++;
                return;
            }
            Failing = false;
            EventsWritten++;
        }
    }
}
