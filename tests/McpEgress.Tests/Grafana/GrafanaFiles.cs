using System.Text.Json;
using YamlDotNet.Serialization;

namespace McpEgress.Tests.Grafana;

/// <summary>Paths of grafana/ and the test data, and YAML/JSON loading as <see cref="JsonElement"/> trees.</summary>
internal static class GrafanaFiles
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "McpEgress.sln"))) return dir.FullName;
        throw new InvalidOperationException("McpEgress.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Grafana(params string[] parts) => Path.Combine([RepoRoot(), "grafana", .. parts]);

    public static string RulesFile => Grafana("prometheus", "mcp-egress.rules.yml");
    public static string RulesTestFile => Grafana("prometheus", "mcp-egress.rules.test.yml");
    public static string GrafanaAlertsFile => Grafana("provisioning", "alerting", "mcp-egress-alerts.yml");

    public static string[] Dashboards() =>
        Directory.GetFiles(Grafana("dashboards"), "*.json").Order(StringComparer.Ordinal).ToArray();

    /// <summary>A YAML file as JSON (all scalars become strings), so both formats are walked the same way.</summary>
    public static JsonElement Yaml(string path)
    {
        var tree = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path))
                   ?? throw new InvalidDataException(path + " is empty");
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(tree);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    /// <summary>Alerting rules of a Prometheus rule file, across its groups.</summary>
    public static IEnumerable<JsonElement> PrometheusAlerts() =>
        Yaml(RulesFile).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Where(r => r.TryGetProperty("alert", out _));

    public static IEnumerable<JsonElement> GrafanaAlertRules() =>
        Yaml(GrafanaAlertsFile).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray());

    /// <summary>Every panel of a dashboard, rows and the panels inside collapsed rows included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var p in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return p;
            if (p.TryGetProperty("panels", out var inner))
                foreach (var q in inner.EnumerateArray()) yield return q;
        }
    }

    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
