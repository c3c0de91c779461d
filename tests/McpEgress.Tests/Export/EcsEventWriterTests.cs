using System.Text;
using System.Text.Json;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Export;

public class EcsEventWriterTests
{
    /// <summary>The hand-written timestamp format gives what the custom format string gave, over the whole DateTime range.</summary>
    [Fact]
    public void TimestampsAreFormattedAsTheCustomFormatDid()
    {
        var rng = new Random(TestSeed.For(nameof(TimestampsAreFormattedAsTheCustomFormatDid)));
        var samples = new List<DateTime> { DateTime.MinValue, DateTime.MaxValue, DateTime.UnixEpoch, new(2026, 12, 6, 23, 59, 59, 999) };
        for (int i = 0; i < 10_000; i++) samples.Add(new DateTime(rng.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
        Span<char> text = stackalloc char[32];
        foreach (var t in samples)
        {
            int n = EcsEventMapping.FormatTimestamp(t, text);
            Assert.Equal(t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture), text[..n].ToString());
        }
    }

    /// <summary>Runs <paramref name="write"/> and parses every output line back; asserts NDJSON framing and no nulls.</summary>
    private static List<JsonElement> Lines(Action<EcsEventWriter> write, EcsWriterOptions? options = null)
    {
        var stream = new MemoryStream();
        using (var w = new EcsEventWriter(stream, options ?? new EcsWriterOptions { LeaveOpen = true }))
            write(w);
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", text);
        var result = new List<JsonElement>();
        foreach (var line in text[..^1].Split('\n'))
        {
            using var doc = JsonDocument.Parse(line);
            AssertNoNulls(doc.RootElement, "");
            result.Add(doc.RootElement.Clone());
        }
        return result;
    }

    private static void AssertNoNulls(JsonElement e, string path)
    {
        Assert.True(e.ValueKind != JsonValueKind.Null, $"null at {path}");
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject()) AssertNoNulls(p.Value, path + "." + p.Name);
        else if (e.ValueKind == JsonValueKind.Array)
        {
            Assert.True(e.GetArrayLength() > 0, $"empty array at {path}");
            foreach (var i in e.EnumerateArray()) AssertNoNulls(i, path + "[]");
        }
    }

    /// <summary>The element at a dotted path, or null when absent.</summary>
    private static JsonElement? At(JsonElement root, string path)
    {
        var e = root;
        foreach (var part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e)) return null;
        }
        return e;
    }

    private static string Str(JsonElement root, string path) => At(root, path)?.GetString() ?? throw new Xunit.Sdk.XunitException($"missing {path}");
    private static long Num(JsonElement root, string path) => At(root, path)?.GetInt64() ?? throw new Xunit.Sdk.XunitException($"missing {path}");
    private static string[] Strs(JsonElement root, string path) =>
        At(root, path)?.EnumerateArray().Select(x => x.GetString()!).ToArray() ?? throw new Xunit.Sdk.XunitException($"missing {path}");

    [Fact]
    public void MessageEventFields()
    {
        var m = PostmarkMcp();
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));

        Assert.Equal("2025-09-25T10:01:12.123456Z", Str(e, "@timestamp"));
        Assert.Equal("event", Str(e, "event.kind"));
        Assert.Equal(["email"], Strs(e, "event.category"));
        Assert.Equal(["info"], Strs(e, "event.type"));
        Assert.Equal("email-sent", Str(e, "event.action"));
        Assert.Equal("success", Str(e, "event.outcome"));
        Assert.Equal("mcp_egress.email", Str(e, "event.dataset"));
        Assert.Equal("smtp", Str(e, "network.protocol"));
        Assert.Equal("tcp", Str(e, "network.transport"));
        Assert.Equal("10.0.0.5", Str(e, "source.ip"));
        Assert.Equal(51512, Num(e, "source.port"));
        Assert.Equal("203.0.113.9", Str(e, "destination.ip"));
        Assert.Equal(587, Num(e, "destination.port"));
        Assert.Equal("smtp.example.net", Str(e, "destination.domain"));
        Assert.Equal(["alice@example.com"], Strs(e, "email.from.address"));
        Assert.Equal(["bob@customer.test"], Strs(e, "email.to.address"));
        Assert.Equal(["phan@giftshop.club"], Strs(e, "email.bcc.address"));
        Assert.Equal("Invoice 42", Str(e, "email.subject"));
        Assert.Equal("<42@example.com>", Str(e, "email.message_id"));
        Assert.Equal(7, Num(e, "mcp_egress.flow_id"));
        Assert.Equal("alice@example.com", Str(e, "mcp_egress.smtp.mail_from"));
        Assert.Equal("laptop.example.com", Str(e, "mcp_egress.smtp.helo"));
        Assert.Equal("PLAIN", Str(e, "mcp_egress.smtp.auth_mechanism"));
        Assert.True(At(e, "mcp_egress.smtp.tls")!.Value.GetBoolean());
        Assert.Equal(250, Num(e, "mcp_egress.smtp.data_reply_code"));
        Assert.Equal(1234, Num(e, "mcp_egress.smtp.message_bytes"));
        Assert.Equal(1, Num(e, "mcp_egress.hidden_count"));

        var rcpt = At(e, "mcp_egress.smtp.rcpt_to")!.Value.EnumerateArray().ToArray();
        Assert.Equal(2, rcpt.Length);
        Assert.Equal("phan@giftshop.club", Str(rcpt[1], "address"));
        Assert.Equal(250, Num(rcpt[1], "reply_code"));
        Assert.True(At(rcpt[1], "accepted")!.Value.GetBoolean());

        var hidden = Assert.Single(At(e, "mcp_egress.hidden_recipients")!.Value.EnumerateArray());
        Assert.Equal("phan@giftshop.club", Str(hidden, "address"));
        Assert.Equal("envelope_only", Str(hidden, "reason"));

        // Absent values are omitted, not null: no Cc, Reply-To, Sender, provider, alert or rule fields here.
        Assert.Null(At(e, "email.cc"));
        Assert.Null(At(e, "email.reply_to"));
        Assert.Null(At(e, "email.sender"));
        Assert.Null(At(e, "mcp_egress.provider"));
        Assert.Null(At(e, "rule"));
        Assert.Null(At(e, "event.severity"));
    }

    [Fact]
    public void KeysAppearOnceAndEcsObjectsAreNested()
    {
        var stream = new MemoryStream();
        using (var w = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true }))
            w.WriteMessage(PostmarkMcp());
        string line = Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("\"email.", line); // nested objects, never dotted keys
        // Utf8JsonReader sees each top-level key once.
        var reader = new Utf8JsonReader(stream.ToArray());
        var top = new List<string>();
        int depth = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) depth++;
            else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) depth--;
            else if (reader.TokenType == JsonTokenType.PropertyName && depth == 1) top.Add(reader.GetString()!);
        }
        Assert.Equal(top.Distinct().Count(), top.Count);
        Assert.Equal(["@timestamp", "ecs", "event", "network", "source", "destination", "email", "mcp_egress"], top);
    }

    [Theory]
    [InlineData(250, "email-sent", "success")]
    [InlineData(554, "email-rejected", "failure")]
    [InlineData(451, "email-rejected", "failure")]
    [InlineData(0, "email-submitted", "unknown")]
    public void ActionFromDataReply(int code, string action, string outcome)
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, Envelope = new SmtpEnvelope { DataReplyCode = code } };
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));
        Assert.Equal(action, Str(e, "event.action"));
        Assert.Equal(outcome, Str(e, "event.outcome"));
        Assert.Equal(code != 0, At(e, "mcp_egress.smtp.data_reply_code") is not null);
    }

    [Theory]
    [InlineData(200, "email-sent")]
    [InlineData(422, "email-rejected")]
    [InlineData(null, "email-submitted")]
    public void HttpActionFromStatusCode(int? status, string action)
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Http, Provider = "postmark",
            Http = new HttpFacts("POST", "https://api.postmarkapp.com/email", "HTTP/1.1", status ?? 0),
        };
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));
        Assert.Equal(action, Str(e, "event.action"));
        Assert.Equal("http", Str(e, "network.protocol"));
        Assert.Equal("postmark", Str(e, "mcp_egress.provider"));
        Assert.Null(At(e, "mcp_egress.smtp"));
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00.000000Z")]
    [InlineData(1_700_000_000_000_000_999L, "2023-11-14T22:13:20.000000Z")] // sub-µs digits truncated
    [InlineData(1_700_000_000_000_001_000L, "2023-11-14T22:13:20.000001Z")]
    [InlineData(1_700_000_000_999_999_999L, "2023-11-14T22:13:20.999999Z")]
    public void TimestampIsUtcMicroseconds(long ns, string expected)
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, TimestampNs = ns };
        Assert.Equal(expected, Str(Assert.Single(Lines(w => w.WriteMessage(m))), "@timestamp"));
    }

    [Fact]
    public void MinimalMessageHasNoEmptyOrNullFields()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp };
        var e = Assert.Single(Lines(w => w.WriteMessage(m))); // Lines asserts no nulls and no empty arrays
        Assert.Null(At(e, "email"));
        Assert.Null(At(e, "source"));
        Assert.Null(At(e, "destination"));
        Assert.Equal(0, Num(e, "mcp_egress.hidden_count"));
        Assert.Null(At(e, "mcp_egress.hidden_recipients"));
    }

    [Fact]
    public void AllHiddenRecipientsInBcc()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            To = A("bob@customer.test"),
            Cc = A("carol@customer.test"),
            ReplyTo = A("support@example.com"),
            Sender = new MailAddress("robot@example.com"),
            Bcc = A("boss@example.com"),
            Envelope = new SmtpEnvelope
            {
                RcptTo = [new("bob@customer.test", 250), new("carol@customer.test", 250), new("boss@example.com", 250),
                          new("phan@giftshop.club", EnvelopeRecipient.NoReply), new("nobody@rejected.test", 550)],
            },
        };
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));
        Assert.Equal(["boss@example.com", "phan@giftshop.club"], Strs(e, "email.bcc.address"));
        Assert.Equal(["carol@customer.test"], Strs(e, "email.cc.address"));
        Assert.Equal(["support@example.com"], Strs(e, "email.reply_to.address"));
        Assert.Equal("robot@example.com", Str(e, "email.sender.address"));
        var reasons = At(e, "mcp_egress.hidden_recipients")!.Value.EnumerateArray().Select(h => Str(h, "reason"));
        Assert.Equal(["bcc_field", "envelope_only"], reasons);
        var rcpt = At(e, "mcp_egress.smtp.rcpt_to")!.Value.EnumerateArray().ToArray();
        Assert.Null(At(rcpt[3], "reply_code")); // no reply seen: omitted, still counted accepted
        Assert.True(At(rcpt[3], "accepted")!.Value.GetBoolean());
        Assert.Equal(550, Num(rcpt[4], "reply_code"));
        Assert.False(At(rcpt[4], "accepted")!.Value.GetBoolean());
    }

    [Fact]
    public void TypedFactsMapToEcsFields()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Http,
            ServerName = "api.postmarkapp.com",
            Provider = "postmark",
            Http = new HttpFacts("POST", "https://api.postmarkapp.com/email", "HTTP/2", 200),
            Api = new ApiCallFacts("postmark.email", Draft: true, RawMessage: true, RawMessageTruncated: true),
            Tls = new TlsFacts("api.postmarkapp.com", "TLS 1.3", "TLS_AES_128_GCM_SHA256", "h2", Decrypted: true),
            Process = new ProcessFacts { Pid = 42, Name = "node", UserId = 1000, Package = "postmark-mcp", PackageVersion = "1.0.16" },
            Envelope = new SmtpEnvelope { HeadersTruncated = true, Incomplete = true },
        };
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));

        Assert.Equal("8.11.0", Str(e, "ecs.version"));
        Assert.Equal("POST", Str(e, "http.request.method"));
        Assert.Equal("2", Str(e, "http.version"));
        Assert.Equal(200, Num(e, "http.response.status_code"));
        Assert.Equal("https://api.postmarkapp.com/email", Str(e, "url.full"));
        Assert.Equal("api.postmarkapp.com", Str(e, "tls.client.server_name"));
        Assert.Equal(("tls", "1.3"), (Str(e, "tls.version_protocol"), Str(e, "tls.version")));
        Assert.Equal("TLS_AES_128_GCM_SHA256", Str(e, "tls.cipher"));
        Assert.Equal("h2", Str(e, "tls.next_protocol"));
        Assert.True(At(e, "mcp_egress.tls.decrypted")!.Value.GetBoolean());
        Assert.Equal("postmark.email", Str(e, "mcp_egress.api.endpoint"));
        Assert.True(At(e, "mcp_egress.api.draft")!.Value.GetBoolean());
        Assert.True(At(e, "mcp_egress.api.raw_message")!.Value.GetBoolean());
        Assert.True(At(e, "mcp_egress.api.raw_message_truncated")!.Value.GetBoolean());
        Assert.True(At(e, "mcp_egress.smtp.headers_truncated")!.Value.GetBoolean());
        Assert.True(At(e, "mcp_egress.smtp.incomplete")!.Value.GetBoolean());
        Assert.Equal(42, Num(e, "process.pid"));
        Assert.Equal("node", Str(e, "process.name"));
        Assert.Equal("1000", Str(e, "user.id"));
        Assert.Equal("postmark-mcp", Str(e, "mcp_egress.process.package"));
        Assert.Equal("1.0.16", Str(e, "mcp_egress.process.package_version"));
        Assert.Equal("email-sent", Str(e, "event.action")); // from the HTTP status
        Assert.Equal("api.postmarkapp.com", Str(e, "destination.domain"));
    }

    [Fact]
    public void SslVersionIsNamedSsl()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, Tls = new TlsFacts(null, "SSL 3.0", null, null, false) };
        var e = Assert.Single(Lines(w => w.WriteMessage(m)));
        Assert.Equal(("ssl", "SSL 3.0"), (Str(e, "tls.version_protocol"), Str(e, "tls.version")));
        Assert.Null(At(e, "tls.client"));
    }

    [Fact]
    public void AFieldWrittenTwiceIsABugThatThrows()
    {
        using var buffer = new EventBuffer(256);
        var w = new EcsFieldWriter(buffer);
        w.BeginEvent();
        w.Open("destination"u8);
        w.String("domain"u8, "a.example");
        w.Close();
        w.Open("email"u8);
        w.Close(); // empty: never written, so nothing claimed
        w.Open("destination"u8); // a second destination object: its first member is the conflict
        var e = Assert.Throws<EcsFieldConflictException>(() => w.String("ip"u8, "10.0.0.1"));
        Assert.Equal("destination", e.Path);

        w.Reset();
        buffer.Truncate(0);
        w.BeginEvent();
        w.Open("mcp_egress"u8);
        w.OpenArray("rcpt_to"u8);
        w.OpenItem();
        w.String("address"u8, "a@b.test");
        Assert.Equal("mcp_egress.rcpt_to.[].address",
            Assert.Throws<EcsFieldConflictException>(() => w.String("address"u8, "c@d.test")).Path);
    }

    [Fact]
    public void EmptyObjectsArraysAndItemsAreLeftOut()
    {
        using var buffer = new EventBuffer(256);
        var w = new EcsFieldWriter(buffer);
        w.BeginEvent();
        w.Open("a"u8);
        w.Open("b"u8);
        w.String("c"u8, null);
        w.Close();
        w.OpenArray("d"u8);
        w.OpenItem();
        w.Close();
        w.Close();
        w.Close(); // a holds nothing: gone with its comma-less first place
        w.Long("n"u8, -42);
        w.OpenArray("e"u8);
        w.OpenItem();
        w.Close(); // an empty first item
        w.OpenItem();
        w.Bool("t"u8, true);
        w.Close();
        w.OpenItem();
        w.Close(); // an empty last item
        w.Close();
        w.Open("f"u8);
        w.Close();
        w.EndEvent();
        Assert.Equal("""{"n":-42,"e":[{"t":true}]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>
    /// Strings are written without Utf8JsonWriter when they are plain ASCII: every BMP character, alone and between
    /// others, and surrogate pairs must come out byte for byte as Utf8JsonWriter with the writer's options writes them.
    /// </summary>
    [Fact]
    public void StringsAreEscapedExactlyAsUtf8JsonWriterEscapesThem()
    {
        using var buffer = new EventBuffer(256);
        var w = new EcsFieldWriter(buffer);
        var expected = new System.Buffers.ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(expected, EcsFieldWriter.JsonOptions);
        void Check(string value)
        {
            buffer.Truncate(0);
            w.BeginEvent();
            w.String("v"u8, value);
            w.Keyword("k"u8, value);
            w.String("s"u8, value.AsSpan());
            w.EndEvent();
            expected.ResetWrittenCount();
            json.Reset();
            json.WriteStartObject();
            json.WriteString("v", value);
            json.WriteString("k", value);
            json.WriteString("s", value);
            json.WriteEndObject();
            json.Flush();
            if (!buffer.WrittenSpan.SequenceEqual(expected.WrittenSpan))
                Assert.Fail($"U+{(int)value[0]:X4}...: {Encoding.UTF8.GetString(buffer.WrittenSpan)} != {Encoding.UTF8.GetString(expected.WrittenSpan)}");
        }
        for (int c = 0; c <= 0xFFFF; c++)
        {
            if (char.IsSurrogate((char)c)) continue;
            string one = ((char)c).ToString();
            Check(one);
            Check("ab" + one + "cd");
        }
        // Every ASCII character (and a few others) at every place of values of 1 to 40 characters: the fast path
        // reads eight characters at a time, the last eight overlapping.
        char[] probes = [.. Enumerable.Range(0, 0x81).Select(c => (char)c), '\u00a0', '\u00e9', '\u0100', '\u2028', '\ufffd', '\uffff'];
        for (int length = 1; length <= 40; length++)
            for (int at = 0; at < length; at++)
                foreach (char c in probes)
                {
                    var chars = new string('a', length).ToCharArray();
                    chars[at] = c;
                    Check(new string(chars));
                }
        Check("");
        Check("caf\u00e9 <b>\"quoted\"</b> & 'x' + `y`\r\n\t\u007f\u2028\u00ad \U0001F600 \ud83d\ude00");
        Check("Grüße aus Köln, 東京 \u0000 end");
    }

    [Fact]
    public void AFailedEventLeavesNothingBehind()
    {
        var stream = new MemoryStream();
        using (var w = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true }))
        {
            w.WriteMessage(PostmarkMcp());
            Assert.ThrowsAny<Exception>(() => w.WriteMessage(null!));
            w.WriteMessage(PostmarkMcp());
        }
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => JsonDocument.Parse(l));
    }

    /// <summary>
    /// An alert written right after its message repeats the message event's bytes for the message's fields: its line
    /// must be the very line the alert gets when written on its own; a deferred alert (its message has changed since:
    /// it has a process now) and a message written again after a change are written afresh.
    /// </summary>
    [Fact]
    public void AlertsAfterTheirMessageAreTheLinesTheyGetAlone()
    {
        static string[] Text(Action<EcsEventWriter> write)
        {
            var stream = new MemoryStream();
            using (var w = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true, BufferBytes = 0 }))
                write(w);
            return Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        var m = PostmarkMcp();
        var alerts = new DetectionEngine(DetectionPolicy.Default).Evaluate(m);
        Assert.True(alerts.Count >= 2);
        var together = Text(w => new EcsPipelineOutput(w).OnMessage(m, alerts));
        var message = Text(w => w.WriteMessage(m));
        var alone = alerts.Select(a => Text(w => w.WriteAlert(a)).Single()).ToArray();
        Assert.Equal([.. message, .. alone], together);
        Assert.All(alone, line => Assert.Contains("\"mcp_egress\":{\"alert\":{", line));

        // The message changes after its event (a deferred rule found the process): a deferred alert shows the change.
        var n = PostmarkMcp();
        var found = new DetectionEngine(DetectionPolicy.Default).Evaluate(n);
        var lines = Text(w =>
        {
            w.WriteMessage(n);
            n.Process = new ProcessFacts { Pid = 7, Name = "node" };
            found[0].Deferred = true;
            w.WriteAlert(found[0]);
            w.WriteMessage(n); // written again: its new fields, and its alerts repeat those
            found[1].Deferred = false;
            w.WriteAlert(found[1]);
        });
        Assert.Equal(4, lines.Length);
        Assert.DoesNotContain("\"process\"", lines[0]);
        Assert.All(lines[1..], line => Assert.Contains("\"process\":{\"pid\":7,\"name\":\"node\"}", line));
        Assert.Equal(Text(w => w.WriteAlert(found[1])).Single(), lines[3]);
    }

    [Fact]
    public void AlertEventFields()
    {
        var m = PostmarkMcp();
        var alerts = new DetectionEngine(DetectionPolicy.Default).Evaluate(m);
        var lines = Lines(w => { foreach (var a in alerts) w.WriteAlert(a); });
        Assert.Equal(3, lines.Count); // denied-domain, hidden-foreign-domain, new-hidden-domain

        var e = lines[0];
        Assert.Equal("alert", Str(e, "event.kind"));
        Assert.Equal(["email", "intrusion_detection"], Strs(e, "event.category"));
        Assert.Equal(["info"], Strs(e, "event.type"));
        Assert.Equal("mcp_egress.alert", Str(e, "event.dataset"));
        Assert.Equal("denied-domain", Str(e, "event.action"));
        Assert.Equal(99, Num(e, "event.severity"));
        Assert.Equal("denied-domain", Str(e, "rule.id"));
        Assert.Equal("Recipient in a denied domain", Str(e, "rule.name"));
        Assert.Equal("critical", Str(e, "mcp_egress.alert.severity"));
        Assert.Equal("phan@giftshop.club", Str(e, "mcp_egress.alert.address"));
        Assert.Equal("envelope", Str(e, "mcp_egress.alert.role"));
        Assert.Equal("giftshop.club", Str(e, "mcp_egress.alert.domain"));
        Assert.Equal(alerts[0].Message, Str(e, "message"));
        // The message's own fields come along.
        Assert.Equal("2025-09-25T10:01:12.123456Z", Str(e, "@timestamp"));
        Assert.Equal(["phan@giftshop.club"], Strs(e, "email.bcc.address"));
        Assert.Equal("10.0.0.5", Str(e, "source.ip"));
        Assert.Equal("smtp.example.net", Str(e, "destination.domain"));
        Assert.Equal("smtp", Str(e, "network.protocol"));
        Assert.Equal(7, Num(e, "mcp_egress.flow_id"));

        Assert.Equal(73, Num(lines[1], "event.severity"));
        Assert.Equal("high", Str(lines[1], "mcp_egress.alert.severity"));
        Assert.Equal("hidden-foreign-domain", Str(lines[1], "rule.id"));
    }

    [Theory]
    [InlineData(Severity.Low, 21)]
    [InlineData(Severity.Medium, 47)]
    [InlineData(Severity.High, 73)]
    [InlineData(Severity.Critical, 99)]
    public void SeverityNumbers(Severity s, int n) => Assert.Equal(n, EcsEventWriter.SeverityNumber(s));

    [Fact]
    public void HostileTextStaysOnOneLine()
    {
        // CR LF in a subject must be escaped; a lone surrogate must not throw; non-ASCII stays readable.
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            Subject = "line1\r\n{\"event\":1}\u2028\uD800end",
            To = A("jürgen@bücher.example"),
        };
        var stream = new MemoryStream();
        using (var w = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true }))
        {
            w.WriteMessage(m);
            w.WriteMessage(m);
            w.Flush(); // EventsWritten counts what reached the stream
            Assert.Equal(2, w.EventsWritten);
        }
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(2, text.Count(c => c == '\n'));
        Assert.Contains("jürgen@bücher.example", text);
        var e = JsonDocument.Parse(text.Split('\n')[0]).RootElement;
        Assert.Equal("line1\r\n{\"event\":1}\u2028\uFFFDend", Str(e, "email.subject"));
    }

    [Fact]
    public void EventsAreBatchedByBufferSize()
    {
        var batched = new CountingStream();
        using (var w = new EcsEventWriter(batched, new EcsWriterOptions { LeaveOpen = true, BufferBytes = 4096 }))
        {
            for (int i = 0; i < 20; i++) w.WriteMessage(PostmarkMcp());
            Assert.InRange(batched.Writes, 2, 10); // ~1.2 KB events: a write each time the buffer passes 4 KiB
            Assert.Equal(0, batched.Flushes);
            Assert.True(batched.WrittenBytes.All(b => b.EndsWith((byte)'\n')), "each write ends on a whole line");
            w.Flush();
            Assert.Equal(1, batched.Flushes);
            Assert.Equal(20, w.EventsWritten);
        }
        Assert.Equal(20, Encoding.UTF8.GetString(batched.ToArray()).Count(c => c == '\n'));
        Assert.False(batched.Closed);

        var eachLine = new CountingStream();
        using (var w = new EcsEventWriter(eachLine, new EcsWriterOptions { LeaveOpen = true, BufferBytes = 0 }))
        {
            w.WriteMessage(new MailMessage { Transport = MailTransport.Smtp });
            w.WriteMessage(new MailMessage { Transport = MailTransport.Smtp });
            Assert.Equal(2, eachLine.Writes); // one write and one flush per line
            Assert.Equal(2, eachLine.Flushes);
        }

        var owned = new CountingStream();
        var lazy = new EcsEventWriter(owned);
        lazy.WriteMessage(new MailMessage { Transport = MailTransport.Smtp });
        Assert.Equal(0, owned.Writes);
        lazy.Dispose(); // writes, flushes and closes
        Assert.Equal(1, owned.Writes);
        Assert.True(owned.Closed);
    }

    [Fact]
    public void ObserverHearsWrittenAndDroppedBatchesByKind()
    {
        var observer = new RecordingObserver();
        var failing = new FailingStream();
        using var w = new EcsEventWriter(failing, new EcsWriterOptions { LeaveOpen = true }) { Observer = observer };
        var m = PostmarkMcp();
        w.WriteMessage(m);
        foreach (var a in new DetectionEngine(DetectionPolicy.Default).Evaluate(m)) w.WriteAlert(a);
        w.Flush();
        Assert.Equal(["message:1", "alert:3"], observer.Events);
        failing.Fail = true;
        w.WriteMessage(m);
        w.WriteMessage(m);
        w.Flush();
        Assert.Equal("dropped:2", observer.Events[^1]);
        Assert.Equal(2, w.EventsDropped);
        Assert.True(w.Failing);
        failing.Fail = false;
        w.WriteMessage(m);
        w.Flush();
        Assert.Equal("message:1", observer.Events[^1]);
        Assert.False(w.Failing);
    }

    private sealed class RecordingObserver : IEcsWriteObserver
    {
        public List<string> Events { get; } = [];
        public void OnWritten(EcsEventKind kind, long count) => Events.Add($"{kind.ToString().ToLowerInvariant()}:{count}");
        public void OnDropped(long count) => Events.Add($"dropped:{count}");
    }

    private sealed class FailingStream : MemoryStream
    {
        public bool Fail;
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Fail) throw new IOException("No space left on device");
            base.Write(buffer);
        }
    }

    [Fact]
    public void WriteAfterDisposeThrows()
    {
        var w = new EcsEventWriter(new MemoryStream());
        w.Dispose();
        Assert.Throws<ObjectDisposedException>(() => w.WriteMessage(new MailMessage { Transport = MailTransport.Smtp }));
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Flushes, Writes;
        public bool Closed;
        public List<byte[]> WrittenBytes { get; } = [];
        public override void Flush() { Flushes++; base.Flush(); }
        public override void Write(ReadOnlySpan<byte> buffer) { Writes++; WrittenBytes.Add(buffer.ToArray()); base.Write(buffer.ToArray(), 0, buffer.Length); }
        public override void Write(byte[] buffer, int offset, int count) { Writes++; base.Write(buffer, offset, count); }
        protected override void Dispose(bool disposing) { Closed = true; base.Dispose(disposing); }
    }
}
