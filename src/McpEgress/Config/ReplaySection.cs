using McpEgress.Pipeline;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>replay:</c> section, read into <see cref="ReplayOptions"/> and written back:
/// <code>
/// replay:
///   workers: 4      # packet workers (threads that own flows); default: the number of cores; 1: one thread
/// </code>
/// Unknown keys and bad values are errors naming the file, line, column and key path (<c>replay.workers</c>).
/// </summary>
internal static class ReplaySection
{
    public const string Name = "replay";

    public static IReadOnlyList<string> Keys { get; } = ["workers"];

    public static ReplayOptions Read(ConfigNode node, ConfigValidator v)
    {
        var o = new ReplayOptions();
        foreach (var e in v.Entries(node, Name, Keys))
        {
            if (e.Key == "workers" && ReadWorkers(e, Name + ".workers", v) is { } n) o.Workers = n;
        }
        return o;
    }

    /// <summary>A worker count (<c>replay.workers</c>, <c>watch.workers</c>): 1 to <see cref="ReplayOptions.MaxWorkers"/>.</summary>
    internal static int? ReadWorkers(ConfigEntry e, string path, ConfigValidator v)
    {
        if (e.Value.Scalar() is long n && n is >= 1 and <= ReplayOptions.MaxWorkers) return (int)n;
        v.Error(e, path, $"expected a whole number of workers from 1 to {ReplayOptions.MaxWorkers}, got {e.Value.DescribeValue()}");
        return null;
    }

    public static YamlMappingNode Write(ReplayOptions o) => new() { { "workers", ConfigYamlWriter.Number(o.Workers) } };
}
