using System.Globalization;
using System.Net;
using System.Text.Json;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;
using McpEgress.Tests.Golden;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Export;

/// <summary>
/// Every event of every capture (golden mail captures and the TLS captures), plus one synthetic message and alert that
/// carry every optional fact, goes through the real writer, which throws on a field written twice. Each emitted field
/// path must then be an ECS field of the vendored list (src/McpEgress/Export/ecs-fields.csv) with a value that fits
/// its type, or live under <c>mcp_egress.*</c>; and the shipped Elasticsearch component template must map every path,
/// with <c>nested</c> for every array of objects.
/// </summary>
public sealed class EcsFieldListTests
{
    private static readonly string ExportDir = Path.Combine(RepoPaths.Root, "src", "McpEgress", "Export");

    private static readonly Lazy<(string Version, Dictionary<string, string> Types)> Vendored = new(() =>
    {
        string? version = null;
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(ExportDir, "ecs-fields.csv")))
        {
            if (line.StartsWith("# ecs_version:", StringComparison.Ordinal)) version = line[14..].Trim();
            if (line.StartsWith('#') || line.Length == 0 || line == "Field,Type") continue;
            var parts = line.Split(',');
            Assert.Equal(2, parts.Length);
            Assert.True(types.TryAdd(parts[0], parts[1]), $"{parts[0]} listed twice");
        }
        return (version ?? throw new InvalidOperationException("no ecs_version line"), types);
    });

    private static JsonElement ComponentTemplate() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ExportDir, "elasticsearch", "mcp-egress-component-template.json"))).RootElement;

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var row in GoldenCaptureTests.ExpectedFiles().Cast<object[]>()) data.Add((string)row[0]);
        foreach (var f in Directory.EnumerateFiles(Path.Combine(RepoPaths.Captures, "tls"), "*.pcap").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoPaths.Captures, f));
        data.Add("synthetic");
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void EveryEmittedFieldIsEcsOrProjectNamespaceAndMapped(string capture)
    {
        var events = Events(capture);
        Assert.NotEmpty(events);
        var (version, ecs) = Vendored.Value;
        var mappings = ComponentTemplate().GetProperty("template").GetProperty("mappings");
        foreach (var e in events)
        {
            Assert.Equal(version, e.GetProperty("ecs").GetProperty("version").GetString());
            foreach (var (path, value, inArrayOfObjects) in Leaves(e, ""))
            {
                string where = $"{capture}: {path}";
                var mapping = Mapping(mappings, path);
                Assert.True(mapping is not null, $"{where} has no mapping in mcp-egress-component-template.json");
                string mapped = mapping!.Value.GetProperty("type").GetString()!;
                Assert.True(Fits(mapped, value), $"{where}: {value.ValueKind} {value} does not fit the mapped type {mapped}");
                if (path.StartsWith("mcp_egress.", StringComparison.Ordinal)) continue;
                Assert.False(inArrayOfObjects, $"{where}: an ECS field inside an array of objects");
                Assert.True(ecs.TryGetValue(path, out var type), $"{where} is not an ECS {version} field (ecs-fields.csv) and not under mcp_egress.*");
                Assert.Equal(type, mapped);
                Assert.True(Fits(type!, value), $"{where}: {value.ValueKind} {value} does not fit ECS type {type}");
            }
            foreach (var path in ArraysOfObjects(e, ""))
                Assert.True(Mapping(mappings, path)?.GetProperty("type").GetString() == "nested",
                    $"{capture}: {path} is an array of objects without a nested mapping");
        }
    }

    [Fact]
    public void TemplatesAreValidAndMapTheArraysOfObjectsNested()
    {
        var mappings = ComponentTemplate().GetProperty("template").GetProperty("mappings");
        foreach (var path in new[] { "mcp_egress.hidden_recipients", "mcp_egress.smtp.rcpt_to", "mcp_egress.truncated", "mcp_egress.cut_recipients" })
            Assert.Equal("nested", Mapping(mappings, path)?.GetProperty("type").GetString());
        var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(ExportDir, "elasticsearch", "mcp-egress-index-template.json"))).RootElement;
        Assert.Contains("mcp-egress@mappings", index.GetProperty("composed_of").EnumerateArray().Select(x => x.GetString()));
        Assert.NotEmpty(index.GetProperty("index_patterns").EnumerateArray());
        // Every vendored ECS field is in the template with its ECS type.
        foreach (var (field, type) in Vendored.Value.Types)
            Assert.Equal(type, Mapping(mappings, field)?.GetProperty("type").GetString());
        Assert.Equal(EcsEventMapping.EcsVersion, Vendored.Value.Version);
    }

    private static List<JsonElement> Events(string capture)
    {
        var h = new ReplayHarness();
        if (capture == "synthetic")
        {
            WriteSynthetic(h);
            return Parse(h.Ndjson);
        }
        var path = Path.Combine(RepoPaths.Captures, capture);
        string pcap = path, keys = Path.ChangeExtension(path, ".keys");
        if (capture.EndsWith(".expected.json", StringComparison.Ordinal))
        {
            var expected = ExpectedCapture.Load(path);
            pcap = Path.Combine(Path.GetDirectoryName(path)!, expected.Capture);
            keys = expected.KeyLog is { } k ? Path.Combine(Path.GetDirectoryName(path)!, k) : "";
        }
        if (File.Exists(keys)) h.Pipeline.KeyLog.LoadFile(keys);
        h.Pipeline.Router.Annotator = new EveryProcessFact();
        h.Replay(pcap);
        Assert.Empty(h.Errors);
        Assert.Equal(0, h.Pipeline.Stats.InternalErrors); // a field written twice would have thrown in the writer
        return Parse(h.Ndjson);
    }

    private static List<JsonElement> Parse(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static readonly ProcessFacts Node = new()
    {
        Pid = 4242, Name = "node", Executable = "/usr/bin/node", CommandLine = "node /srv/mcp/index.js", UserId = 1000,
        UserName = "alice", Package = "evil-postmark-mcp", PackageVersion = "1.0.16",
        McpServer = "postmark", McpClient = "claude-desktop", McpServerInstrumented = false,
    };

    private sealed class EveryProcessFact : IFlowAnnotator
    {
        public ProcessFacts? Annotate(TcpFlow flow) => Node;
    }

    /// <summary>A message with every optional fact (cut lists, API call, TLS, process), its alerts, and an unreadable call.</summary>
    private static void WriteSynthetic(ReplayHarness h)
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Http,
            Provider = "postmark",
            TimestampNs = 1_758_794_472_123_456_789,
            Source = Ep("10.0.0.5", 51512),
            Destination = Ep("2001:db8::9", 443),
            ServerName = "api.postmarkapp.com",
            From = A("alice@example.com"),
            Sender = new MailAddress("robot@example.com"),
            ReplyTo = A("support@example.com"),
            To = A("bob@customer.test"),
            Cc = A("carol@customer.test"),
            Bcc = A("phan@giftshop.club", "spy@giftshop.club"),
            ResentTo = A("r1@example.org"),
            ResentCc = A("r2@example.org"),
            ResentBcc = A("r3@example.org"),
            ApiEnvelope = A("bob@customer.test", "phan@giftshop.club"),
            Subject = "Invoice 42",
            MessageId = "<42@example.com>",
            Truncations = [new MessageTruncation("limits.mail_api.max_recipients_per_message", 3, "addresses not kept")],
            CutRecipients = [new CutRecipientDomain("giftshop.club", 3, true)],
            Envelope = new SmtpEnvelope
            {
                Helo = "laptop", MailFrom = "alice@example.com", MailFromReplyCode = 250,
                RcptTo = [new EnvelopeRecipient("bob@customer.test", 250), new EnvelopeRecipient("x@y.test", EnvelopeRecipient.NoReply)],
                AuthMechanism = "PLAIN", DataReplyCode = 250, Tls = true, DataCommand = "BDAT", MessageBytes = 10,
                HeadersTruncated = true, Incomplete = true,
            },
            Http = new HttpFacts("POST", "https://api.postmarkapp.com/email", "HTTP/1.1", 200),
            Api = new ApiCallFacts("postmark.email", true, true, true),
            Tls = new TlsFacts("api.postmarkapp.com", "TLS 1.3", "TLS_AES_128_GCM_SHA256", "h2", true),
            Process = Node,
        };
        var alerts = new DetectionEngine(DetectionPolicy.Default).Evaluate(m); // giftshop.club is denied: two matches in one alert
        Assert.Contains(alerts, a => a.MatchCount > 1);
        h.OnMessage(m, alerts);
        h.OnMailApiUnreadable(new MailApiUnreadableRecord
        {
            FlowId = 9, TimestampNs = 1, Source = m.Source, Destination = m.Destination, Provider = "sendgrid",
            Endpoint = "sendgrid.mail_send", Reason = "unparseable_json", ServerName = "api.sendgrid.com", Method = "POST",
            Url = "https://api.sendgrid.com/v3/mail/send", HttpVersion = "HTTP/2", ResponseStatus = 202,
        });
        // The daemon's inventory events and server alert, with every optional fact.
        var advisory = new McpEgress.Inventory.AdvisoryMatch("MAL-2025-47604", "Malicious code in postmark-mcp (npm)", "range", true);
        var server = new McpEgress.Inventory.McpServerState
        {
            Key = "k", Client = "claude-desktop", Name = "postmark", ConfigFile = "/home/alice/.config/Claude/claude_desktop_config.json",
            Transport = McpEgress.Inventory.McpTransport.Stdio, Package = "postmark-mcp", PackageType = "npm", Version = "1.0.16",
            Pids = [4242, 4243], Advisories = [advisory], Instrumented = true,
        };
        var old = server with { Version = "1.0.15", Advisories = [] };
        h.Writer.WriteMcpServerChange(new(McpEgress.Inventory.McpServerChangeKind.VersionChanged, server, old), 1);
        var alertsOut = new List<McpServerAlert>();
        new McpServerAdvisoryRule().Evaluate(server, old, 1, alertsOut);
        Assert.Single(alertsOut);
        h.Writer.WriteMcpServerAlert(alertsOut[0]);
        // Per-server egress: a new destination, named and unnamed.
        var row = new McpEgress.Detection.Egress.EgressRow("claude-desktop", "postmark", "postmark-mcp", "1.0.16", "giftshop.club", "203.0.113.7", 443, 1, 2, 1, 0, 0);
        h.Writer.WriteEgressNewDestination(new(row, Node, 7, m.Source, Ep("203.0.113.7", 443), 1, 2));
        h.Writer.WriteEgressNewDestination(new(row with { Destination = "" }, Node, 8, m.Source, Ep("203.0.113.7", 25), 1, 3));
    }

    /// <summary>Leaf values with their dotted paths (array items share the array's path).</summary>
    private static IEnumerable<(string Path, JsonElement Value, bool InArrayOfObjects)> Leaves(JsonElement e, string prefix, bool inArray = false)
    {
        foreach (var p in e.EnumerateObject())
        {
            string path = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            var v = p.Value;
            if (v.ValueKind == JsonValueKind.Object)
                foreach (var x in Leaves(v, path, inArray)) yield return x;
            else if (v.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in v.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.Object)
                        foreach (var x in Leaves(item, path, true)) yield return x;
                    else yield return (path, item, inArray);
            }
            else yield return (path, v, inArray);
        }
    }

    private static IEnumerable<string> ArraysOfObjects(JsonElement e, string prefix)
    {
        foreach (var p in e.EnumerateObject())
        {
            string path = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            if (p.Value.ValueKind == JsonValueKind.Object)
                foreach (var x in ArraysOfObjects(p.Value, path)) yield return x;
            else if (p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object))
            {
                yield return path;
                foreach (var item in p.Value.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.Object)
                        foreach (var x in ArraysOfObjects(item, path)) yield return x;
            }
        }
    }

    /// <summary>The mapping of a dotted path in an Elasticsearch mappings object (through object and nested properties).</summary>
    private static JsonElement? Mapping(JsonElement mappings, string path)
    {
        var node = mappings;
        foreach (var part in path.Split('.'))
        {
            if (!node.TryGetProperty("properties", out var props) || !props.TryGetProperty(part, out node)) return null;
        }
        return node;
    }

    /// <summary>Whether a JSON value can be indexed as an Elasticsearch/ECS field type without coercion.</summary>
    private static bool Fits(string type, JsonElement v) => type switch
    {
        "keyword" or "wildcard" or "match_only_text" or "text" or "constant_keyword" => v.ValueKind == JsonValueKind.String,
        "long" or "integer" or "short" or "byte" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        "float" or "double" or "scaled_float" => v.ValueKind == JsonValueKind.Number,
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "ip" => v.ValueKind == JsonValueKind.String && IPAddress.TryParse(v.GetString(), out _),
        "date" => v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
        _ => false,
    };
}
