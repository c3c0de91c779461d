using System.Text.Json;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Export;

/// <summary>
/// ECS conventions on real captures: <c>tls.version_protocol</c> beside <c>tls.version</c>, offered ALPN (no ECS
/// field) in the project namespace, and every API field under <c>mcp_egress.api.*</c>.
/// </summary>
public sealed class EcsConventionsTests
{
    private static List<JsonElement> Events(string capture, string keys)
    {
        var h = new ReplayHarness();
        h.Pipeline.KeyLog.LoadFile(Path.Combine(RepoPaths.Captures, keys));
        h.Replay(Path.Combine(RepoPaths.Captures, capture));
        return h.Ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static string? Str(JsonElement e, params string[] path)
    {
        foreach (var p in path)
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : e.ToString();
    }

    [Fact]
    public void TlsFieldsFollowEcs()
    {
        var events = Events("api/gmail-h2.pcap", "api/gmail-h2.keys"); // HTTP/2, ALPN h2 offered and selected
        var messages = events.Where(e => Str(e, "event", "dataset") == "mcp_egress.email").ToList();
        Assert.NotEmpty(messages);
        foreach (var m in messages)
            Assert.Equal(("tls", "1.3"), (Str(m, "tls", "version_protocol"), Str(m, "tls", "version")));
        var sessions = events.Where(e => Str(e, "tls", "client", "server_name") is not null && Str(e, "event", "dataset") != "mcp_egress.email"
                                         && Str(e, "event", "kind") != "alert").ToList();
        Assert.NotEmpty(sessions);
        foreach (var s in sessions)
        {
            Assert.Null(Str(s, "tls", "client", "supported_protocols")); // not an ECS field
            Assert.Contains("h2", Str(s, "mcp_egress", "tls", "supported_protocols"));
        }
    }

    [Fact]
    public void ApiEnvelopeIsUnderTheApiNamespace()
    {
        var events = Events("api/ses-v2.pcap", "api/ses-v2.keys"); // Raw send with Destinations beside the MIME
        var raw = Assert.Single(events, e => Str(e, "event", "dataset") == "mcp_egress.email" && Str(e, "mcp_egress", "api", "envelope") is not null);
        Assert.Contains("phan@giftshop.club", Str(raw, "mcp_egress", "api", "envelope"));
        Assert.NotNull(Str(raw, "mcp_egress", "api", "endpoint"));
        Assert.Null(Str(raw, "mcp_egress", "api_envelope"));
    }
}
