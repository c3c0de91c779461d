using McpEgress.State;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>state:</c> section, read into <see cref="StateOptions"/> and written back:
/// <code>
/// state:
///   path: /var/lib/mcp-egress/state.db   # "" or omitted: watch uses this default, replay and inventory persist nothing
///   retention_days: 90                   # rows not updated for this long are deleted (at open and daily)
/// </code>
/// Unknown keys and bad values are errors naming the file, line, column and key path (<c>state.retention_days</c>).
/// </summary>
internal static class StateSection
{
    public const string Name = "state";

    public static IReadOnlyList<string> Keys { get; } = ["path", "retention_days"];

    public static StateOptions Read(ConfigNode node, ConfigValidator v)
    {
        var o = new StateOptions();
        foreach (var e in v.Entries(node, Name, Keys))
        {
            string path = Name + "." + e.Key;
            switch (e.Key)
            {
                case "path":
                    if (e.Value.Kind == ConfigNodeKind.Null) break;
                    if (e.Value.Scalar() is string s) o.Path = s.Length == 0 ? null : s;
                    else v.Error(e, path, $"expected a file path, got {e.Value.DescribeValue()}");
                    break;
                case "retention_days":
                    if (e.Value.Scalar() is long days && days is >= 1 and <= 36_500) o.RetentionDays = (int)days;
                    else v.Error(e, path, $"expected a whole number of days from 1 to 36500, got {e.Value.DescribeValue()}");
                    break;
            }
        }
        return o;
    }

    /// <summary>Every key with its effective value (an unset path is written as "": the command's default).</summary>
    public static YamlMappingNode Write(StateOptions o) => new()
    {
        { "path", ConfigYamlWriter.String(o.Path ?? "") },
        { "retention_days", ConfigYamlWriter.Number(o.RetentionDays) },
    };
}
