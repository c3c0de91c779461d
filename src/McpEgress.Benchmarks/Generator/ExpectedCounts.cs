using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// What a generated capture holds, counted by the generator as it wrote it (never by running mcp-egress); written
/// beside the capture as <c>X.pcap.expected.json</c>.
/// </summary>
internal sealed record ExpectedCounts
{
    public required string Shape { get; init; }
    public long Bytes { get; init; }
    public long Packets { get; init; }
    public long Flows { get; init; }
    public long Messages { get; init; }
    public long SmtpMessages { get; init; }
    public long ApiMessages { get; init; }
    /// <summary>HTTP requests of the keyed API calls; with <see cref="SmtpMessages"/> (all RCPTs of a transaction go in one
    /// segment) the number of lines the replay benchmark's tshark command prints.</summary>
    public long ApiRequests { get; init; }
    public long Alerts { get; init; }
    public long KeyedTlsFlows { get; init; }
    public long UnkeyedTlsFlows { get; init; }
    public long SmtpFlows { get; init; }
    /// <summary>Bytes (pcap file bytes) of unkeyed TLS upload flows, and of mail flows.</summary>
    public long BulkBytes { get; init; }
    public long MailBytes { get; init; }
    /// <summary>The key log beside the capture that decrypts every keyed flow (file name, same folder).</summary>
    public string? Keylog { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathFor(string capture) => capture + ".expected.json";

    public void Save(string capture) => File.WriteAllText(PathFor(capture), JsonSerializer.Serialize(this, Json) + "\n");

    public static ExpectedCounts? TryLoad(string capture) =>
        File.Exists(PathFor(capture)) ? JsonSerializer.Deserialize<ExpectedCounts>(File.ReadAllText(PathFor(capture)), Json) : null;
}
