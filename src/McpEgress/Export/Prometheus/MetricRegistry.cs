using System.Buffers;
using System.Text;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// A set of metric families, exposed in the text format with families sorted by name and series by label values,
/// so equal states give byte-equal output. Updating a series never takes a lock; a scrape takes the registry's lock
/// only to run collect callbacks and write, so two scrapes don't interleave.
/// </summary>
public sealed class MetricRegistry
{
    private readonly object _lock = new();
    private readonly SortedDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly List<Action> _beforeCollect = [];

    public Counter CreateCounter(string name, string help, params string[] labelNames) =>
        Add(new Counter(name, help, labelNames));

    public Gauge CreateGauge(string name, string help, params string[] labelNames) =>
        Add(new Gauge(name, help, labelNames));

    /// <summary>
    /// Runs <paramref name="callback"/> at the start of every scrape, under the registry's lock, to copy values kept
    /// elsewhere into series. An exception from it is swallowed so one bad source can't break the endpoint.
    /// </summary>
    public void AddBeforeCollect(Action callback)
    {
        lock (_lock) _beforeCollect.Add(callback);
    }

    public IReadOnlyList<MetricFamily> Families
    {
        get { lock (_lock) return _families.Values.ToList(); }
    }

    private T Add<T>(T family) where T : MetricFamily
    {
        lock (_lock)
        {
            if (!_families.TryAdd(family.Name, family))
                throw new ArgumentException($"metric {family.Name} is already registered", nameof(family));
        }
        return family;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new PrometheusTextWriter(output);
        lock (_lock)
        {
            foreach (var cb in _beforeCollect)
            {
                try { cb(); }
                catch (Exception) { /* a failing source must not take the whole exposition down */ }
            }
            foreach (var f in _families.Values) f.WriteTo(writer);
        }
    }

    public void WriteTo(Stream stream)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        WriteTo(buffer);
        stream.Write(buffer.WrittenSpan);
    }

    /// <summary>The exposition as a byte array.</summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The exposition as a string (tests, diagnostics).</summary>
    public string ToText() => Encoding.UTF8.GetString(ToBytes());
}
