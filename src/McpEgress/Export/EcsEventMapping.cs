using System.Globalization;
using McpEgress.Decode;
using McpEgress.Detection;
using McpEgress.Detection.Egress;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Export;

/// <summary>
/// The one place typed facts become ECS fields: every field name of an event is written here, each by exactly one
/// line (<see cref="EcsFieldWriter"/> throws if two write the same path). Objects are written whole, one after the
/// other, in the shape ECS-SCHEMA.md (next to this file) documents. Names outside <c>mcp_egress.*</c> are ECS fields
/// of the release in <see cref="EcsVersion"/> (checked against ecs-fields.csv by the tests).
/// </summary>
internal static class EcsEventMapping
{
    /// <summary><c>ecs.version</c>: the ECS release whose field list (ecs-fields.csv) the events follow.</summary>
    public const string EcsVersion = "8.11.0";

    private static readonly string[] EmailCategory = ["email"];
    private static readonly string[] AlertCategory = ["email", "intrusion_detection"];
    private static readonly string[] NetworkCategory = ["network"];
    private static readonly string[] InfoType = ["info"];
    private static readonly string[] ConnectionType = ["connection"];
    private static readonly string[] PackageCategory = ["package"];
    private static readonly string[] PackageAlertCategory = ["package", "intrusion_detection"];
    private static readonly string[] ChangeType = ["change"];
    private static readonly string[] DeletionType = ["deletion"];

    /// <summary>Elastic detection-rule convention for <c>event.severity</c>.</summary>
    public static int SeverityNumber(Severity s) => s switch
    {
        Severity.Low => 21,
        Severity.Medium => 47,
        Severity.High => 73,
        _ => 99,
    };

    private static string SeverityName(Severity s) => s switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        Severity.Critical => "critical",
        _ => s.ToString().ToLowerInvariant(),
    };

    /// <summary>One <c>event.kind: event</c> for a message.</summary>
    public static void Message(EcsFieldWriter w, MailMessage m, int maxAddresses)
    {
        var (action, outcome) = Delivery(m);
        OpenEvent(w, m.TimestampNs, "event", "mcp_egress.email", EmailCategory, InfoType, action);
        w.Keyword("outcome", outcome);
        w.Close();
        MessageFields(w, m, maxAddresses, null);
    }

    /// <summary>One <c>event.kind: alert</c>, carrying the same message fields as <see cref="Message"/>.</summary>
    public static void Alert(EcsFieldWriter w, Alert alert, int maxAddresses)
    {
        AlertHead(w, alert.Mail.TimestampNs, AlertCategory, alert.RuleId, alert.RuleName, alert.Severity, alert.Message);
        MessageFields(w, alert.Mail, maxAddresses, alert);
    }

    /// <summary>What every alert event starts with: <c>event.*</c> (kind alert, severity), <c>rule.id/name</c>, <c>message</c>.</summary>
    private static void AlertHead(EcsFieldWriter w, long timestampNs, string[] category, string ruleId, string ruleName,
        Severity severity, string message)
    {
        OpenEvent(w, timestampNs, "alert", "mcp_egress.alert", category, InfoType, ruleId);
        w.Long("severity", SeverityNumber(severity));
        w.Close();
        w.Open("rule");
        w.Keyword("id", ruleId);
        w.Keyword("name", ruleName);
        w.Close();
        w.String("message", message);
    }

    /// <summary>
    /// One <c>event.category: network</c> event per TLS connection, decrypted or not, so opaque traffic to mail hosts
    /// stays visible: server name, ALPN, version, cipher, bytes each way, and whether the monitor could read it.
    /// </summary>
    public static void TlsSession(EcsFieldWriter w, TlsSessionRecord record)
    {
        var info = record.Info;
        var tls = TlsMessageFacts.From(info)!;
        OpenEvent(w, record.StartTimestampNs, "event", "mcp_egress.tls", NetworkCategory, ConnectionType, "tls-session");
        Timestamp(w, "start", record.StartTimestampNs);
        Timestamp(w, "end", record.EndTimestampNs);
        w.Close();
        Network(w, record.ApplicationProtocol);
        w.Open("source");
        EndpointFields(w, record.Source);
        w.Long("bytes", info.Bytes(FlowDirection.ClientToServer));
        w.Close();
        w.Open("destination");
        EndpointFields(w, record.Destination);
        w.String("domain", info.ServerName);
        w.Long("bytes", info.Bytes(FlowDirection.ServerToClient));
        w.Close();
        w.Open("tls");
        TlsFields(w, tls);
        w.Bool("established", info.HandshakeComplete);
        w.Bool("resumed", info.Resumed);
        w.Close();
        ProcessFields(w, record.Process);
        w.Open("mcp_egress");
        w.Long("flow_id", record.FlowId);
        w.Open("tls");
        w.Strings("supported_protocols", info.AlpnOffered); // ALPN offered: no ECS field
        w.Bool("decrypted", info.Decrypted);
        w.Bool("starttls", record.StartTls);
        if (info.KeyUpdates > 0) w.Long("key_updates", info.KeyUpdates);
        if (info.HelloRetryRequest) w.Bool("hello_retry_request", true);
        w.Close();
        TunnelFields(w, record.Tunnel);
        PackageFields(w, record.Process);
        w.Close();
    }

    /// <summary>
    /// One <c>event.dataset: mcp_egress.inventory</c> event for an MCP server that appeared, changed version (the old
    /// one in <c>previous_version</c>) or disappeared between two inventory refreshes.
    /// </summary>
    public static void McpServerChange(EcsFieldWriter w, McpServerChange change, long timestampNs)
    {
        var (type, action) = change.Kind switch
        {
            McpServerChangeKind.Appeared => (InfoType, "mcp-server-appeared"),
            McpServerChangeKind.VersionChanged => (ChangeType, "mcp-server-version-changed"),
            _ => (DeletionType, "mcp-server-disappeared"),
        };
        OpenEvent(w, timestampNs, "event", "mcp_egress.inventory", PackageCategory, type, action);
        w.Close();
        w.Open("mcp_egress");
        McpServerFields(w, change.Current, change.Previous?.Version);
        w.Close();
    }

    /// <summary>One <c>event.kind: alert</c> about an MCP server (<c>mcp-server-advisory</c>): the server, its package and the advisory.</summary>
    public static void McpServerAlert(EcsFieldWriter w, McpServerAlert alert)
    {
        AlertHead(w, alert.TimestampNs, PackageAlertCategory, alert.RuleId, alert.RuleName, alert.Severity, alert.Message);
        w.Open("mcp_egress");
        w.Open("alert");
        w.String("severity", SeverityName(alert.Severity));
        w.String("advisory", alert.Advisory.Id);
        w.Bool("malicious", alert.Advisory.Malicious);
        w.Close();
        McpServerFields(w, alert.Server, null);
        w.Close();
    }

    /// <summary>
    /// One <c>event.dataset: mcp_egress.egress</c> event when an MCP server reaches a destination it never reached
    /// before (<c>mcp-server-new-destination</c>): the destination (name when the flow showed one, IP, port), the first
    /// flow to it, the server's process and package, and how many destinations it has now.
    /// </summary>
    public static void EgressNewDestination(EcsFieldWriter w, NewDestination d)
    {
        var row = d.Row;
        OpenEvent(w, d.TimestampNs, "event", "mcp_egress.egress", NetworkCategory, ConnectionType, "mcp-server-new-destination");
        w.Close();
        string package = d.Row.Package is null ? "" : d.Row.Version is null ? $" ({row.Package})" : $" ({row.Package}@{row.Version})";
        string where = row.Destination.Length > 0 ? $"{row.Destination} ({d.Destination})" : d.Destination.ToString();
        w.String("message", $"MCP server {row.Server} of {row.Client}{package} reached a new destination: {where}");
        Network(w, null);
        Endpoint(w, "source", d.Source);
        w.Open("destination");
        EndpointFields(w, d.Destination);
        w.String("domain", row.Destination.Length > 0 ? row.Destination : null);
        w.Close();
        ProcessFields(w, d.Process);
        w.Open("mcp_egress");
        w.Long("flow_id", d.FlowId);
        w.Open("egress");
        w.String("destination", row.Destination.Length > 0 ? row.Destination : row.Ip);
        w.Long("destinations", d.KnownDestinations);
        w.Close();
        PackageFields(w, d.Process);
        w.Close();
    }

    /// <summary><c>mcp_egress.mcp_server.*</c>: one inventoried server (env var values are never part of it).</summary>
    private static void McpServerFields(EcsFieldWriter w, McpServerState s, string? previousVersion)
    {
        w.Open("mcp_server");
        w.String("name", s.Name);
        w.String("client", s.Client);
        w.String("config_file", s.ConfigFile);
        w.String("transport", s.Transport.ToString().ToLowerInvariant());
        w.String("package", s.Package);
        w.String("package_type", s.PackageType);
        w.String("version", s.Version);
        w.String("previous_version", previousVersion);
        if (s.Pids.Count > 0)
        {
            w.OpenArray("pids");
            foreach (var pid in s.Pids) w.Item(pid);
            w.Close();
        }
        w.Strings("advisory_ids", s.Advisories.Select(a => a.Id).ToList());
        w.Bool("instrumented", s.Instrumented);
        w.Close();
    }

    /// <summary>
    /// A send-like call to a mail API whose payload could not be read: the recipients are unknown, which a security
    /// team must see (<c>event.outcome: unknown</c>, the provider, the redacted URL and the reason).
    /// </summary>
    public static void MailApiUnreadable(EcsFieldWriter w, MailApiUnreadableRecord r)
    {
        OpenEvent(w, r.TimestampNs, "event", "mcp_egress.email", EmailCategory, InfoType, "email-unreadable");
        w.String("outcome", "unknown");
        w.String("reason", r.Reason);
        w.Close();
        Network(w, "http");
        Endpoint(w, "source", r.Source);
        w.Open("destination");
        EndpointFields(w, r.Destination);
        w.String("domain", r.ServerName);
        w.Close();
        HttpFields(w, new HttpFacts(r.Method, r.Url, r.HttpVersion, r.ResponseStatus));
        w.Open("mcp_egress");
        w.String("provider", r.Provider);
        w.Long("flow_id", r.FlowId);
        w.Open("api");
        w.String("endpoint", r.Endpoint);
        w.String("unreadable_reason", r.Reason);
        w.Close();
        TunnelFields(w, r.Tunnel);
        w.Close();
    }

    /// <summary>
    /// <c>mcp_egress.tunnel</c>: the proxy tunnel (type, target host and port) inside <c>mcp_egress</c>; the event's
    /// <c>destination.*</c> stays the proxy the packets went to.
    /// </summary>
    private static void TunnelFields(EcsFieldWriter w, TunnelFacts? tunnel)
    {
        if (tunnel is null) return;
        w.Open("tunnel");
        w.String("type", tunnel.Type);
        w.Open("target");
        w.String("host", tunnel.TargetHost);
        w.Long("port", tunnel.TargetPort);
        w.Close();
        if (tunnel.ProxyAuthenticated) w.Bool("proxy_authenticated", true);
        w.Close();
    }

    /// <summary>
    /// event.action/outcome from the server's final answer: the SMTP DATA/BDAT reply, else the HTTP response status.
    /// 2xx sent, 4xx/5xx rejected, otherwise (not seen) submitted.
    /// </summary>
    internal static (string Action, string Outcome) Delivery(MailMessage m)
    {
        long code = m.Envelope?.DataReplyCode ?? 0;
        if (code == 0) code = m.Http?.Status ?? 0;
        return code switch
        {
            >= 200 and < 300 => ("email-sent", "success"),
            >= 400 and < 600 => ("email-rejected", "failure"),
            _ => ("email-submitted", "unknown"),
        };
    }

    /// <summary>
    /// <c>@timestamp</c>, <c>ecs.version</c>, and the <c>event</c> fields every event has; <c>event</c> is left open for
    /// the caller's own (outcome, severity, start/end) and closed by it.
    /// </summary>
    private static void OpenEvent(EcsFieldWriter w, long timestampNs, string kind, string dataset, string[] category, string[] type, string action)
    {
        Timestamp(w, "@timestamp", timestampNs);
        w.Open("ecs");
        w.Keyword("version", EcsVersion);
        w.Close();
        w.Open("event");
        w.Keyword("kind", kind);
        w.Keyword("module", "mcp_egress");
        w.Keyword("dataset", dataset);
        w.Keywords("category", category);
        w.Keywords("type", type);
        w.Keyword("action", action);
    }

    private static void Network(EcsFieldWriter w, string? protocol)
    {
        w.Open("network");
        w.String("protocol", protocol); // may come from the wire (ALPN): not a keyword
        w.Keyword("transport", "tcp");
        w.Close();
    }

    /// <summary>ISO 8601 UTC with microseconds; nanoseconds are truncated (DateTime resolves 100 ns).</summary>
    private static void Timestamp(EcsFieldWriter w, string name, long unixNs)
    {
        Span<char> text = stackalloc char[32];
        w.String(name, text[..FormatTimestamp(DateTime.UnixEpoch.AddTicks(unixNs / 100), text)]);
    }

    /// <summary>
    /// <paramref name="t"/> as <c>yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'</c> (invariant culture) into <paramref name="into"/>
    /// (27 characters), digit by digit: the custom-format parser costs more than the event's other fields together.
    /// </summary>
    internal static int FormatTimestamp(DateTime t, Span<char> into)
    {
        var (year, month, day) = t;
        Digits(into, 0, year, 4);
        into[4] = '-';
        Digits(into, 5, month, 2);
        into[7] = '-';
        Digits(into, 8, day, 2);
        into[10] = 'T';
        Digits(into, 11, t.Hour, 2);
        into[13] = ':';
        Digits(into, 14, t.Minute, 2);
        into[16] = ':';
        Digits(into, 17, t.Second, 2);
        into[19] = '.';
        Digits(into, 20, (int)(t.Ticks % TimeSpan.TicksPerSecond / 10), 6);
        into[26] = 'Z';
        return 27;

        static void Digits(Span<char> into, int at, int value, int count)
        {
            for (int i = at + count - 1; i >= at; i--)
            {
                into[i] = (char)('0' + value % 10);
                value /= 10;
            }
        }
    }

    // Shared by messages and alerts: network, endpoints, email.*, http/url/tls/process, then mcp_egress.*.
    private static void MessageFields(EcsFieldWriter w, MailMessage m, int max, Alert? alert)
    {
        var hidden = m.Hidden;
        var env = m.Envelope;
        Network(w, m.Transport == MailTransport.Smtp ? "smtp" : "http");
        Endpoint(w, "source", m.Source);
        w.Open("destination");
        EndpointFields(w, m.Destination);
        w.String("domain", m.ServerName);
        w.Close();

        w.Open("email");
        AddressObject(w, "from", m.From, max);
        if (m.Sender is { } sender)
        {
            w.Open("sender");
            w.String("address", sender.Address);
            w.Close();
        }
        AddressObject(w, "reply_to", m.ReplyTo, max);
        AddressObject(w, "to", m.To, max);
        AddressObject(w, "cc", m.Cc, max);
        w.Open("bcc");
        w.OpenArray("address"); // every hidden recipient: Bcc fields and envelope-only ones
        for (int i = 0; i < hidden.Count && i < max; i++) w.Item(hidden[i].Address.Address);
        w.Close();
        w.Close();
        w.String("subject", m.Subject);
        w.String("message_id", m.MessageId);
        w.Close();

        if (m.Http is { } http) HttpFields(w, http);
        if (m.Tls is { } tls)
        {
            w.Open("tls");
            TlsFields(w, tls);
            w.Close();
        }
        ProcessFields(w, m.Process);

        w.Open("mcp_egress");
        if (alert is not null) AlertFields(w, alert);
        w.Long("flow_id", m.FlowId);
        w.String("provider", m.Provider);
        w.Long("hidden_count", hidden.Count);
        w.Objects("hidden_recipients", hidden, max, static (w, h) =>
        {
            w.String("address", h.Address.Address);
            w.Keyword("reason", h.Reason == HiddenReason.BccField ? "bcc_field" : "envelope_only");
            w.String("known_sink", h.KnownSink);
        });
        w.Open("resent");
        AddressArray(w, "to", m.ResentTo, max);
        AddressArray(w, "cc", m.ResentCc, max);
        AddressArray(w, "bcc", m.ResentBcc, max);
        w.Close();
        w.Open("api");
        AddressArray(w, "envelope", m.ApiEnvelope, max);
        if (m.Api is { } api)
        {
            w.String("endpoint", api.Endpoint);
            if (api.Draft) w.Bool("draft", true);
            if (api.RawMessage) w.Bool("raw_message", true);
            if (api.RawMessageTruncated) w.Bool("raw_message_truncated", true);
        }
        w.Close();
        if (env is not null) SmtpFields(w, env, max);
        TunnelFields(w, m.Tunnel);
        TruncationFields(w, m, max, AddressesCut(m, max));
        if (m.Tls is { } t)
        {
            w.Open("tls");
            w.Bool("decrypted", t.Decrypted);
            w.Close();
        }
        PackageFields(w, m.Process);
        w.Close();
    }

    private static void AlertFields(EcsFieldWriter w, Alert alert)
    {
        w.Open("alert");
        w.Keyword("severity", SeverityName(alert.Severity));
        if (alert.Role != RecipientRole.None)
        {
            w.String("address", alert.Address.Address);
            w.String("role", alert.Role.ToName());
            w.String("domain", alert.Domain);
            if (alert.MatchCount > 1)
            {
                w.Long("address_count", alert.MatchCount);
                w.OpenArray("addresses");
                var matches = alert.Matches;
                for (int i = 0; i < matches.Count; i++) w.Item(matches[i].Address.Address);
                w.Close();
            }
        }
        if (alert.Baseline is { } b) BaselineFields(w, b);
        if (alert.Deferred) w.Bool("deferred", true);
        w.Close();
    }

    /// <summary><c>mcp_egress.alert.baseline.*</c>: what the baseline rule knew before this message.</summary>
    private static void BaselineFields(EcsFieldWriter w, AlertBaseline b)
    {
        w.Open("baseline");
        w.String("subject", b.Subject);
        if (b.FirstSeenNs is { } first) Timestamp(w, "first_seen", first);
        if (b.Messages is { } n) w.Long("messages", n);
        if (b.WindowSeconds is { } window) w.Long("window_seconds", window);
        if (b.VisibleDomains.Count > 0)
        {
            w.Long("visible_domain_count", b.VisibleDomains.Count);
            w.Strings("visible_domains", b.VisibleDomains);
        }
        w.String("sender", b.Sender);
        w.String("new_version", b.NewVersion);
        if (b.OldVersions.Count > 0) w.Strings("old_versions", b.OldVersions);
        if (b.OldVersionMessages is { } old) w.Long("old_version_messages", old);
        w.String("known_sink", b.KnownSink);
        w.Close();
    }

    private static void SmtpFields(EcsFieldWriter w, SmtpEnvelope env, int max)
    {
        w.Open("smtp");
        w.String("helo", env.Helo);
        w.String("mail_from", env.MailFrom);
        if (env.MailFromReplyCode != 0) w.Long("mail_from_reply_code", env.MailFromReplyCode);
        w.Objects("rcpt_to", env.RcptTo, max, static (w, r) =>
        {
            w.String("address", r.Address);
            if (r.ReplyCode != EnvelopeRecipient.NoReply) w.Long("reply_code", r.ReplyCode);
            w.Bool("accepted", r.Accepted);
        });
        w.String("auth_mechanism", env.AuthMechanism);
        w.Bool("tls", env.Tls);
        w.String("data_command", env.DataCommand);
        if (env.DataReplyCode != 0) w.Long("data_reply_code", env.DataReplyCode);
        if (env.MessageBytes > 0) w.Long("message_bytes", env.MessageBytes);
        if (env.HeadersTruncated) w.Bool("headers_truncated", true);
        if (env.Incomplete) w.Bool("incomplete", true);
        w.Close();
    }

    /// <summary>
    /// <c>mcp_egress.truncated</c> (every limit that cut the message, plus <c>export.max_addresses_per_event</c> when
    /// this event lists fewer addresses than detection saw) and, with it, <c>mcp_egress.cut_recipients</c>.
    /// </summary>
    private static void TruncationFields(EcsFieldWriter w, MailMessage m, int max, long addressesCut)
    {
        var truncations = m.Truncations;
        if (addressesCut > 0)
            truncations = [.. truncations, new MessageTruncation("export.max_addresses_per_event", addressesCut, "addresses not written in this event (detection saw them all)")];
        if (truncations.Count == 0) return;
        w.Objects("truncated", truncations, int.MaxValue, static (w, t) =>
        {
            w.String("limit", t.Limit);
            w.Long("cut", t.ItemsCut);
            w.String("what", t.What);
        });
        w.Objects("cut_recipients", m.CutRecipients, max, static (w, c) =>
        {
            w.String("domain", c.Domain);
            w.Long("count", c.Count);
            w.Bool("may_be_hidden", c.MayBeHidden);
        });
    }

    /// <summary>Items the per-event cap leaves out of this event's lists (hidden recipients count twice: bcc and hidden_recipients).</summary>
    private static long AddressesCut(MailMessage m, int max)
    {
        long Over(int count) => count > max ? count - max : 0;
        return Over(m.From.Count) + Over(m.ReplyTo.Count) + Over(m.To.Count) + Over(m.Cc.Count) + 2 * Over(m.Hidden.Count)
            + Over(m.ResentTo.Count) + Over(m.ResentCc.Count) + Over(m.ResentBcc.Count) + Over(m.ApiEnvelope.Count)
            + Over(m.Envelope?.RcptTo.Count ?? 0) + Over(m.CutRecipients.Count);
    }

    /// <summary><c>name.address</c>: the list's non-empty addresses, at most <paramref name="max"/>.</summary>
    private static void AddressObject(EcsFieldWriter w, string name, IReadOnlyList<MailAddress> list, int max)
    {
        if (list.Count == 0) return;
        w.Open(name);
        AddressArray(w, "address", list, max);
        w.Close();
    }

    private static void AddressArray(EcsFieldWriter w, string name, IReadOnlyList<MailAddress> list, int max)
    {
        if (list.Count == 0) return;
        w.OpenArray(name);
        int n = 0;
        for (int i = 0; i < list.Count && n < max; i++)
        {
            string a = list[i].Address;
            if (a.Length == 0) continue;
            w.Item(a);
            n++;
        }
        w.Close();
    }

    private static void Endpoint(EcsFieldWriter w, string name, Endpoint ep)
    {
        w.Open(name);
        EndpointFields(w, ep);
        w.Close();
    }

    private static void EndpointFields(EcsFieldWriter w, Endpoint ep)
    {
        if (ep == default) return;
        Span<char> ip = stackalloc char[64];
        int n;
        if (ep.Address.IsV4) n = FormatV4((uint)ep.Address.Low, ip); // as IPAddress writes it, without making one
        else ep.Address.ToIPAddress().TryFormat(ip, out n);
        w.String("ip", ip[..n]);
        if (ep.Port != 0) w.Long("port", ep.Port);
    }

    /// <summary>Dotted-decimal IPv4 (<paramref name="into"/> holds at least 15 characters); its length.</summary>
    private static int FormatV4(uint address, Span<char> into)
    {
        int n = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            ((address >> shift) & 0xFF).TryFormat(into[n..], out int written, default, CultureInfo.InvariantCulture);
            n += written;
            if (shift > 0) into[n++] = '.';
        }
        return n;
    }

    private static void HttpFields(EcsFieldWriter w, HttpFacts http)
    {
        w.Open("http");
        w.Open("request");
        w.String("method", http.Method);
        w.Close();
        var version = http.Version.AsSpan();
        w.String("version", version.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) ? version[5..] : version);
        if (http.Status > 0)
        {
            w.Open("response");
            w.Long("status_code", http.Status);
            w.Close();
        }
        w.Close();
        w.Open("url");
        w.String("full", http.Url);
        w.Close();
    }

    /// <summary>The tls.* facts messages and TLS session events share (inside an open <c>tls</c> object).</summary>
    private static void TlsFields(EcsFieldWriter w, TlsFacts tls)
    {
        if (tls.ServerName is { } sni)
        {
            w.Open("client");
            w.String("server_name", sni);
            w.Close();
        }
        if (tls.Version is { } v)
        {
            // ECS pairs them: "tls" + "1.3" ("TLS " dropped; SSL 3.0 and unknown values kept as named).
            w.String("version_protocol", v.StartsWith("SSL", StringComparison.Ordinal) ? "ssl" : "tls");
            w.String("version", v.StartsWith("TLS ", StringComparison.Ordinal) ? v.AsSpan(4) : v);
        }
        w.String("cipher", tls.Cipher);
        w.String("next_protocol", tls.NextProtocol);
    }

    /// <summary><c>process.*</c> and <c>user.*</c> of the owning process (package facts go under mcp_egress).</summary>
    private static void ProcessFields(EcsFieldWriter w, ProcessFacts? p)
    {
        if (p is null) return;
        w.Open("process");
        if (p.Pid is int pid) w.Long("pid", pid);
        w.String("name", p.Name);
        w.String("executable", p.Executable);
        w.String("command_line", p.CommandLine);
        w.Close();
        w.Open("user");
        w.String("id", p.UserId?.ToString(CultureInfo.InvariantCulture));
        w.String("name", p.UserName);
        w.Close();
    }

    /// <summary><c>mcp_egress.process.package</c>/<c>package_version</c> (npm has no ECS field), inside mcp_egress.</summary>
    private static void PackageFields(EcsFieldWriter w, ProcessFacts? p)
    {
        if (p is null) return;
        w.Open("process");
        w.String("package", p.Package);
        w.String("package_version", p.PackageVersion);
        w.Close();
        if (p.McpServer is null) return;
        w.Open("mcp_server");
        w.String("name", p.McpServer);
        w.String("client", p.McpClient);
        w.Bool("instrumented", p.McpServerInstrumented);
        w.Close();
    }
}
