using System.Collections.Concurrent;

namespace McpEgress.Diagnostics;

/// <summary>Thread-safe counting sink. Names come from code, not from input, so the key set stays bounded.</summary>
public sealed class AnomalyCounters : IAnomalySink
{
    private readonly ConcurrentDictionary<(string Stage, string Name), long> _counts = new();

    public void Report(string stage, string name) =>
        _counts.AddOrUpdate((stage, name), 1, static (_, v) => v + 1);

    public long Get(string stage, string name) => _counts.TryGetValue((stage, name), out var v) ? v : 0;

    public long Total => _counts.Values.Sum();

    public IReadOnlyList<KeyValuePair<(string Stage, string Name), long>> Snapshot() =>
        _counts.OrderBy(kv => kv.Key.Stage, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal).ToList();
}
