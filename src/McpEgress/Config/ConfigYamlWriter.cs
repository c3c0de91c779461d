using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// A config as YAML that <see cref="ConfigLoader"/> reads back to the same effective config: every section and every
/// key with its value, defaults included (what <c>mcp-egress config check</c> prints). Strings are double-quoted, so a
/// domain like <c>*.example.com</c> or a filter like <c>tcp port 25</c> never changes meaning.
/// </summary>
public static class ConfigYamlWriter
{
    public static string Write(McpEgressConfig config)
    {
        var root = new YamlMappingNode
        {
            { DetectionSection.Name, DetectionSection.Write(config.Detection) },
            { LimitsSection.Name, LimitsSection.Write(config.Limits) },
            { WatchSection.Name, WatchSection.Write(config.Watch) },
            { InventorySection.Name, InventorySection.Write(config.Inventory) },
            { StateSection.Name, StateSection.Write(config.State) },
            { ReplaySection.Name, ReplaySection.Write(config.Replay) },
        };
        var text = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        // YamlDotNet ends the document with "..." (an explicit document end); one document needs none.
        string yaml = text.ToString();
        return yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
    }

    internal static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };

    internal static YamlScalarNode String(string text) => new(text) { Style = ScalarStyle.DoubleQuoted };

    internal static YamlScalarNode Number(long value) => Plain(value.ToString(CultureInfo.InvariantCulture));

    internal static YamlScalarNode Number(double value) => Plain(value.ToString("R", CultureInfo.InvariantCulture));

    internal static YamlScalarNode Bool(bool value) => Plain(value ? "true" : "false");

    internal static YamlSequenceNode Strings(IEnumerable<string> items) => Flow(new YamlSequenceNode(items.Select(s => (YamlNode)String(s))));

    internal static YamlSequenceNode Flow(YamlSequenceNode node)
    {
        node.Style = SequenceStyle.Flow;
        return node;
    }

    internal static YamlMappingNode Flow(YamlMappingNode node)
    {
        node.Style = MappingStyle.Flow;
        return node;
    }
}
