using McpEgress.Daemon;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>inventory:</c> section, read into <see cref="InventoryWatchOptions"/> and written back:
/// <code>
/// inventory:
///   enabled: true
///   refresh_interval: 5m              # seconds, or 30s / 5m / 1h; also refreshed at every SIGHUP
///   advisories: [/var/lib/mcp-egress/advisories]   # OSV folders added to the built-in set
///   homes: [/home/alice]              # default ([] or omitted): every /home/* and /root as root, else the daemon user's home
///   processes: true                   # also look for running MCP servers in /proc
/// </code>
/// Unknown keys and bad values are errors naming the file, line, column and key path (<c>inventory.homes[0]</c>).
/// </summary>
internal static class InventorySection
{
    public const string Name = "inventory";

    public static IReadOnlyList<string> Keys { get; } = ["enabled", "refresh_interval", "advisories", "homes", "processes"];

    public static InventoryWatchOptions Read(ConfigNode node, ConfigValidator v)
    {
        var o = new InventoryWatchOptions();
        foreach (var e in v.Entries(node, Name, Keys))
        {
            string path = Name + "." + e.Key;
            switch (e.Key)
            {
                case "enabled":
                case "processes":
                    if (e.Value.Scalar() is bool b) { if (e.Key == "enabled") o.Enabled = b; else o.ScanProcesses = b; }
                    else v.Error(e, path, $"expected true or false, got {e.Value.DescribeValue()}");
                    break;
                case "refresh_interval":
                    string? text = e.Value.Scalar() switch { string s => s, long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture), double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => null };
                    if (text is not null && LimitsSection.TryParseDuration(text, out var t) && t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromDays(1))
                        o.RefreshInterval = t;
                    else v.Error(e, path, $"expected a duration from 1s to 1d (seconds, or like 30s, 5m, 1h), got {e.Value.DescribeValue()}");
                    break;
                case "advisories":
                    if (WatchSection.Strings(e, path, v, allowEmpty: true) is { } dirs) o.Advisories = dirs;
                    break;
                case "homes":
                    if (WatchSection.Strings(e, path, v, allowEmpty: true) is { } homes) o.Homes = homes.Count == 0 ? null : homes;
                    break;
            }
        }
        return o;
    }

    /// <summary>Every key with its effective value (unset homes are written as an empty list: every home).</summary>
    public static YamlMappingNode Write(InventoryWatchOptions o) => new()
    {
        { "enabled", ConfigYamlWriter.Bool(o.Enabled) },
        { "refresh_interval", ConfigYamlWriter.Plain(LimitsSection.FormatDuration(o.RefreshInterval)) },
        { "advisories", ConfigYamlWriter.Strings(o.Advisories) },
        { "homes", ConfigYamlWriter.Strings(o.Homes ?? []) },
        { "processes", ConfigYamlWriter.Bool(o.ScanProcesses) },
    };
}
