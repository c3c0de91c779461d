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
        w.Keyword("outcome"u8, outcome);
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
        w.Long("severity"u8, SeverityNumber(severity));
        w.Close();
        w.Open("rule"u8);
        w.Keyword("id"u8, ruleId);
        w.Keyword("name"u8, ruleName);
        w.Close();
        w.String("message"u8, message);
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
        Timestamp(w, "start"u8, record.StartTimestampNs);
        Timestamp(w, "end"u8, record.EndTimestampNs);
        w.Close();
        Network(w, record.ApplicationProtocol);
        w.Open("source"u8);
        EndpointFields(w, record.Source);
        w.Long("bytes"u8, info.Bytes(FlowDirection.ClientToServer));
        w.Close();
        w.Open("destination"u8);
        EndpointFields(w, record.Destination);
        w.String("domain"u8, info.ServerName);
        w.Long("bytes"u8, info.Bytes(FlowDirection.ServerToClient));
        w.Close();
        w.Open("tls"u8);
        TlsFields(w, tls);
        w.Bool("established"u8, info.HandshakeComplete);
        w.Bool("resumed"u8, info.Resumed);
        w.Close();
        ProcessFields(w, record.Process);
        w.Open("mcp_egress"u8);
        w.Long("flow_id"u8, record.FlowId);
        w.Open("tls"u8);
        w.Strings("supported_protocols"u8, info.AlpnOffered); // ALPN offered: no ECS field
        w.Bool("decrypted"u8, info.Decrypted);
        w.Bool("starttls"u8, record.StartTls);
        if (info.KeyUpdates > 0) w.Long("key_updates"u8, info.KeyUpdates);
        if (info.HelloRetryRequest) w.Bool("hello_retry_request"u8, true);
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
        w.Open("mcp_egress"u8);
        McpServerFields(w, change.Current, change.Previous?.Version);
        w.Close();
    }

    /// <summary>One <c>event.kind: alert</c> about an MCP server (<c>mcp-server-advisory</c>): the server, its package and the advisory.</summary>
    public static void McpServerAlert(EcsFieldWriter w, McpServerAlert alert)
    {
        AlertHead(w, alert.TimestampNs, PackageAlertCategory, alert.RuleId, alert.RuleName, alert.Severity, alert.Message);
        w.Open("mcp_egress"u8);
        w.Open("alert"u8);
        w.String("severity"u8, SeverityName(alert.Severity));
        w.String("advisory"u8, alert.Advisory.Id);
        w.Bool("malicious"u8, alert.Advisory.Malicious);
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
        w.String("message"u8, $"MCP server {row.Server} of {row.Client}{package} reached a new destination: {where}");
        Network(w, null);
        Endpoint(w, "source"u8, d.Source);
        w.Open("destination"u8);
        EndpointFields(w, d.Destination);
        w.String("domain"u8, row.Destination.Length > 0 ? row.Destination : null);
        w.Close();
        ProcessFields(w, d.Process);
        w.Open("mcp_egress"u8);
        w.Long("flow_id"u8, d.FlowId);
        w.Open("egress"u8);
        w.String("destination"u8, row.Destination.Length > 0 ? row.Destination : row.Ip);
        w.Long("destinations"u8, d.KnownDestinations);
        w.Close();
        PackageFields(w, d.Process);
        w.Close();
    }

    /// <summary><c>mcp_egress.mcp_server.*</c>: one inventoried server (env var values are never part of it).</summary>
    private static void McpServerFields(EcsFieldWriter w, McpServerState s, string? previousVersion)
    {
        w.Open("mcp_server"u8);
        w.String("name"u8, s.Name);
        w.String("client"u8, s.Client);
        w.String("config_file"u8, s.ConfigFile);
        w.String("transport"u8, s.Transport.ToString().ToLowerInvariant());
        w.String("package"u8, s.Package);
        w.String("package_type"u8, s.PackageType);
        w.String("version"u8, s.Version);
        w.String("previous_version"u8, previousVersion);
        if (s.Pids.Count > 0)
        {
            w.OpenArray("pids"u8);
            foreach (var pid in s.Pids) w.Item(pid);
            w.Close();
        }
        w.Strings("advisory_ids"u8, s.Advisories.Select(a => a.Id).ToList());
        w.Bool("instrumented"u8, s.Instrumented);
        w.Close();
    }

    /// <summary>
    /// A send-like call to a mail API whose payload could not be read: the recipients are unknown, which a security
    /// team must see (<c>event.outcome: unknown</c>, the provider, the redacted URL and the reason).
    /// </summary>
    public static void MailApiUnreadable(EcsFieldWriter w, MailApiUnreadableRecord r)
    {
        OpenEvent(w, r.TimestampNs, "event", "mcp_egress.email", EmailCategory, InfoType, "email-unreadable");
        w.String("outcome"u8, "unknown");
        w.String("reason"u8, r.Reason);
        w.Close();
        Network(w, "http");
        Endpoint(w, "source"u8, r.Source);
        w.Open("destination"u8);
        EndpointFields(w, r.Destination);
        w.String("domain"u8, r.ServerName);
        w.Close();
        HttpFields(w, new HttpFacts(r.Method, r.Url, r.HttpVersion, r.ResponseStatus));
        w.Open("mcp_egress"u8);
        w.String("provider"u8, r.Provider);
        w.Long("flow_id"u8, r.FlowId);
        w.Open("api"u8);
        w.String("endpoint"u8, r.Endpoint);
        w.String("unreadable_reason"u8, r.Reason);
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
        w.Open("tunnel"u8);
        w.String("type"u8, tunnel.Type);
        w.Open("target"u8);
        w.String("host"u8, tunnel.TargetHost);
        w.Long("port"u8, tunnel.TargetPort);
        w.Close();
        if (tunnel.ProxyAuthenticated) w.Bool("proxy_authenticated"u8, true);
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
        Timestamp(w, "@timestamp"u8, timestampNs);
        w.Open("ecs"u8);
        w.Keyword("version"u8, EcsVersion);
        w.Close();
        w.Open("event"u8);
        w.Keyword("kind"u8, kind);
        w.Keyword("module"u8, "mcp_egress");
        w.Keyword("dataset"u8, dataset);
        w.Keywords("category"u8, category);
        w.Keywords("type"u8, type);
        w.Keyword("action"u8, action);
    }

    private static void Network(EcsFieldWriter w, string? protocol)
    {
        w.Open("network"u8);
        w.String("protocol"u8, protocol); // may come from the wire (ALPN): not a keyword
        w.Keyword("transport"u8, "tcp");
        w.Close();
    }

    /// <summary>ISO 8601 UTC with microseconds; nanoseconds are truncated (DateTime resolves 100 ns).</summary>
    private static void Timestamp(EcsFieldWriter w, ReadOnlySpan<byte> name, long unixNs)
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

    // Shared by messages and alerts: network, endpoints, email.*, http/url/tls/process, then mcp_egress.*. An alert
    // written right after its message repeats the message event's bytes for both parts (EcsEventWriter decides when
    // the message is still as it was: EcsFieldWriter.Repeatable); only the alert's own fields are written anew.
    private static void MessageFields(EcsFieldWriter w, MailMessage m, int max, Alert? alert)
    {
        if (!w.TryRepeat(0))
        {
            var start = w.StartPart();
            MessageObjects(w, m, max);
            w.Record(0, start);
        }
        w.Open("mcp_egress"u8);
        if (alert is not null) AlertFields(w, alert);
        if (!w.TryRepeat(1))
        {
            var start = w.StartPart();
            MessageEgressFields(w, m, max);
            w.Record(1, start);
        }
        w.Close();
    }

    /// <summary>The message's network, source, destination, email, http, url, tls, process and user objects.</summary>
    private static void MessageObjects(EcsFieldWriter w, MailMessage m, int max)
    {
        var hidden = m.Hidden;
        Network(w, m.Transport == MailTransport.Smtp ? "smtp" : "http");
        Endpoint(w, "source"u8, m.Source);
        w.Open("destination"u8);
        EndpointFields(w, m.Destination);
        w.String("domain"u8, m.ServerName);
        w.Close();

        w.Open("email"u8);
        AddressObject(w, "from"u8, m.From, max);
        if (m.Sender is { } sender)
        {
            w.Open("sender"u8);
            w.String("address"u8, sender.Address);
            w.Close();
        }
        AddressObject(w, "reply_to"u8, m.ReplyTo, max);
        AddressObject(w, "to"u8, m.To, max);
        AddressObject(w, "cc"u8, m.Cc, max);
        w.Open("bcc"u8);
        w.OpenArray("address"u8); // every hidden recipient: Bcc fields and envelope-only ones
        for (int i = 0; i < hidden.Count && i < max; i++) w.Item(hidden[i].Address.Address);
        w.Close();
        w.Close();
        w.String("subject"u8, m.Subject);
        w.String("message_id"u8, m.MessageId);
        w.Close();

        if (m.Http is { } http) HttpFields(w, http);
        if (m.Tls is { } tls)
        {
            w.Open("tls"u8);
            TlsFields(w, tls);
            w.Close();
        }
        ProcessFields(w, m.Process);
    }

    /// <summary>The message's <c>mcp_egress.*</c> fields (inside the open <c>mcp_egress</c>, after an alert's own).</summary>
    private static void MessageEgressFields(EcsFieldWriter w, MailMessage m, int max)
    {
        var hidden = m.Hidden;
        var env = m.Envelope;
        w.Long("flow_id"u8, m.FlowId);
        w.String("provider"u8, m.Provider);
        w.Long("hidden_count"u8, hidden.Count);
        w.Objects("hidden_recipients"u8, hidden, max, static (w, h) =>
        {
            w.String("address"u8, h.Address.Address);
            w.Keyword("reason"u8, h.Reason == HiddenReason.BccField ? "bcc_field" : "envelope_only");
            w.String("known_sink"u8, h.KnownSink);
        });
        w.Open("resent"u8);
        AddressArray(w, "to"u8, m.ResentTo, max);
        AddressArray(w, "cc"u8, m.ResentCc, max);
        AddressArray(w, "bcc"u8, m.ResentBcc, max);
        w.Close();
        w.Open("api"u8);
        AddressArray(w, "envelope"u8, m.ApiEnvelope, max);
        if (m.Api is { } api)
        {
            w.String("endpoint"u8, api.Endpoint);
            if (api.Draft) w.Bool("draft"u8, true);
            if (api.RawMessage) w.Bool("raw_message"u8, true);
            if (api.RawMessageTruncated) w.Bool("raw_message_truncated"u8, true);
        }
        w.Close();
        if (env is not null) SmtpFields(w, env, max);
        TunnelFields(w, m.Tunnel);
        TruncationFields(w, m, max, AddressesCut(m, max));
        if (m.Tls is { } t)
        {
            w.Open("tls"u8);
            w.Bool("decrypted"u8, t.Decrypted);
            w.Close();
        }
        PackageFields(w, m.Process);
    }

    private static void AlertFields(EcsFieldWriter w, Alert alert)
    {
        w.Open("alert"u8);
        w.Keyword("severity"u8, SeverityName(alert.Severity));
        if (alert.Role != RecipientRole.None)
        {
            w.String("address"u8, alert.Address.Address);
            w.String("role"u8, alert.Role.ToName());
            w.String("domain"u8, alert.Domain);
            if (alert.MatchCount > 1)
            {
                w.Long("address_count"u8, alert.MatchCount);
                w.OpenArray("addresses"u8);
                var matches = alert.Matches;
                for (int i = 0; i < matches.Count; i++) w.Item(matches[i].Address.Address);
                w.Close();
            }
        }
        if (alert.Baseline is { } b) BaselineFields(w, b);
        if (alert.Deferred) w.Bool("deferred"u8, true);
        w.Close();
    }

    /// <summary><c>mcp_egress.alert.baseline.*</c>: what the baseline rule knew before this message.</summary>
    private static void BaselineFields(EcsFieldWriter w, AlertBaseline b)
    {
        w.Open("baseline"u8);
        w.String("subject"u8, b.Subject);
        if (b.FirstSeenNs is { } first) Timestamp(w, "first_seen"u8, first);
        if (b.Messages is { } n) w.Long("messages"u8, n);
        if (b.WindowSeconds is { } window) w.Long("window_seconds"u8, window);
        if (b.VisibleDomains.Count > 0)
        {
            w.Long("visible_domain_count"u8, b.VisibleDomains.Count);
            w.Strings("visible_domains"u8, b.VisibleDomains);
        }
        w.String("sender"u8, b.Sender);
        w.String("new_version"u8, b.NewVersion);
        if (b.OldVersions.Count > 0) w.Strings("old_versions"u8, b.OldVersions);
        if (b.OldVersionMessages is { } old) w.Long("old_version_messages"u8, old);
        w.String("known_sink"u8, b.KnownSink);
        w.Close();
    }

    private static void SmtpFields(EcsFieldWriter w, SmtpEnvelope env, int max)
    {
        w.Open("smtp"u8);
        w.String("helo"u8, env.Helo);
        w.String("mail_from"u8, env.MailFrom);
        if (env.MailFromReplyCode != 0) w.Long("mail_from_reply_code"u8, env.MailFromReplyCode);
        w.Objects("rcpt_to"u8, env.RcptTo, max, static (w, r) =>
        {
            w.String("address"u8, r.Address);
            if (r.ReplyCode != EnvelopeRecipient.NoReply) w.Long("reply_code"u8, r.ReplyCode);
            w.Bool("accepted"u8, r.Accepted);
        });
        w.String("auth_mechanism"u8, env.AuthMechanism);
        w.Bool("tls"u8, env.Tls);
        w.String("data_command"u8, env.DataCommand);
        if (env.DataReplyCode != 0) w.Long("data_reply_code"u8, env.DataReplyCode);
        if (env.MessageBytes > 0) w.Long("message_bytes"u8, env.MessageBytes);
        if (env.HeadersTruncated) w.Bool("headers_truncated"u8, true);
        if (env.Incomplete) w.Bool("incomplete"u8, true);
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
        w.Objects("truncated"u8, truncations, int.MaxValue, static (w, t) =>
        {
            w.String("limit"u8, t.Limit);
            w.Long("cut"u8, t.ItemsCut);
            w.String("what"u8, t.What);
        });
        w.Objects("cut_recipients"u8, m.CutRecipients, max, static (w, c) =>
        {
            w.String("domain"u8, c.Domain);
            w.Long("count"u8, c.Count);
            w.Bool("may_be_hidden"u8, c.MayBeHidden);
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
    private static void AddressObject(EcsFieldWriter w, ReadOnlySpan<byte> name, IReadOnlyList<MailAddress> list, int max)
    {
        if (list.Count == 0) return;
        w.Open(name);
        AddressArray(w, "address"u8, list, max);
        w.Close();
    }

    private static void AddressArray(EcsFieldWriter w, ReadOnlySpan<byte> name, IReadOnlyList<MailAddress> list, int max)
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

    private static void Endpoint(EcsFieldWriter w, ReadOnlySpan<byte> name, Endpoint ep)
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
        w.String("ip"u8, ip[..n]);
        if (ep.Port != 0) w.Long("port"u8, ep.Port);
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
        w.Open("http"u8);
        w.Open("request"u8);
        w.String("method"u8, http.Method);
        w.Close();
        var version = http.Version.AsSpan();
        w.String("version"u8, version.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) ? version[5..] : version);
        if (http.Status > 0)
        {
            w.Open("response"u8);
            w.Long("status_code"u8, http.Status);
            w.Close();
        }
        w.Close();
        w.Open("url"u8);
        w.String("full"u8, http.Url);
        w.Close();
    }

    /// <summary>The tls.* facts messages and TLS session events share (inside an open <c>tls</c> object).</summary>
    private static void TlsFields(EcsFieldWriter w, TlsFacts tls)
    {
        if (tls.ServerName is { } sni)
        {
            w.Open("client"u8);
            w.String("server_name"u8, sni);
            w.Close();
        }
        if (tls.Version is { } v)
        {
            // ECS pairs them: "tls" + "1.3" ("TLS " dropped; SSL 3.0 and unknown values kept as named).
            w.String("version_protocol"u8, v.StartsWith("SSL", StringComparison.Ordinal) ? "ssl" : "tls");
            w.String("version"u8, v.StartsWith("TLS ", StringComparison.Ordinal) ? v.AsSpan(4) : v);
        }
        w.String("cipher"u8, tls.Cipher);
        w.String("next_protocol"u8, tls.NextProtocol);
    }

    /// <summary><c>process.*</c> and <c>user.*</c> of the owning process (package facts go under mcp_egress).</summary>
    private static void ProcessFields(EcsFieldWriter w, ProcessFacts? p)
    {
        if (p is null) return;
        w.Open("process"u8);
        if (p.Pid is int pid) w.Long("pid"u8, pid);
        w.String("name"u8, p.Name);
        w.String("executable"u8, p.Executable);
        w.String("command_line"u8, p.CommandLine);
        w.Close();
        w.Open("user"u8);
        w.String("id"u8, p.UserId?.ToString(CultureInfo.InvariantCulture));
        w.String("name"u8, p.UserName);
        w.Close();
    }

    /// <summary><c>mcp_egress.process.package</c>/<c>package_version</c> (npm has no ECS field), inside mcp_egress.</summary>
    private static void PackageFields(EcsFieldWriter w, ProcessFacts? p)
    {
        if (p is null) return;
        w.Open("process"u8);
        w.String("package"u8, p.Package);
        w.String("package_version"u8, p.PackageVersion);
        w.Close();
        if (p.McpServer is null) return;
        w.Open("mcp_server"u8);
        w.String("name"u8, p.McpServer);
        w.String("client"u8, p.McpClient);
        w.Bool("instrumented"u8, p.McpServerInstrumented);
        w.Close();
    }
}
