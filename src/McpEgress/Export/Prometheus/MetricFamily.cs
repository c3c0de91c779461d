using System.Collections.Concurrent;
using System.Text;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// A named metric with fixed label names and one <see cref="MetricSeries"/> per distinct tuple of label values.
/// Series are created on first use (or up front, to export them at zero) and never removed, so callers must only
/// use label values from bounded sets (see <see cref="CappedLabelSet"/>).
/// </summary>
public abstract class MetricFamily
{
    private readonly ConcurrentDictionary<LabelKey, MetricSeries> _series = new();
    private readonly byte[] _nameBytes;
    private readonly string[] _labelNames;
    private readonly byte[][] _labelNameBytes;

    private protected MetricFamily(string name, string help, string[] labelNames)
    {
        if (!IsValidMetricName(name)) throw new ArgumentException($"invalid metric name '{name}'", nameof(name));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in labelNames)
        {
            // Names starting with __ are reserved for Prometheus's own use (data model, "Metric names and labels").
            if (!IsValidLabelName(l) || l.StartsWith("__", StringComparison.Ordinal))
                throw new ArgumentException($"invalid label name '{l}' for {name}", nameof(labelNames));
            if (!seen.Add(l)) throw new ArgumentException($"duplicate label name '{l}' for {name}", nameof(labelNames));
        }
        Name = name;
        Help = help;
        _labelNames = labelNames;
        _nameBytes = Encoding.ASCII.GetBytes(name);
        _labelNameBytes = Array.ConvertAll(labelNames, Encoding.ASCII.GetBytes);
    }

    public string Name { get; }
    public string Help { get; }
    public IReadOnlyList<string> LabelNames => _labelNames;
    public abstract MetricType Type { get; }

    /// <summary>Number of series created so far.</summary>
    public int SeriesCount => _series.Count;

    private protected MetricSeries GetOrAddSeries(string[] labelValues)
    {
        if (labelValues.Length != _labelNames.Length)
            throw new ArgumentException($"{Name} takes {_labelNames.Length} label values, got {labelValues.Length}", nameof(labelValues));
        var key = new LabelKey(labelValues);
        if (_series.TryGetValue(key, out var s)) return s;
        var copy = (string[])labelValues.Clone();
        for (int i = 0; i < copy.Length; i++) copy[i] ??= string.Empty;
        key = new LabelKey(copy);
        return _series.GetOrAdd(key, static (k, self) => self.CreateSeries(k.Values, self.EncodeLabels(k.Values)), this);
    }

    private protected abstract MetricSeries CreateSeries(string[] labelValues, byte[] labelText);

    private byte[] EncodeLabels(string[] values)
    {
        if (values.Length == 0) return [];
        var sb = new StringBuilder();
        sb.Append('{');
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(_labelNames[i]).Append("=\"");
            PrometheusTextWriter.AppendEscapedLabelValue(sb, values[i]);
            sb.Append('"');
        }
        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Writes HELP, TYPE and every series sorted by label values. A family without series writes nothing.</summary>
    internal void WriteTo(PrometheusTextWriter writer)
    {
        if (_series.IsEmpty) return;
        var all = _series.Values.ToArray();
        Array.Sort(all, static (a, b) => LabelKey.Compare(a.Values, b.Values));
        writer.WriteHelp(_nameBytes, Help);
        writer.WriteType(_nameBytes, Type);
        foreach (var s in all) s.WriteSample(writer, _nameBytes);
    }

    /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]* (Prometheus data model).</summary>
    public static bool IsValidMetricName(string name) => IsValidName(name, allowColon: true);

    /// <summary>[a-zA-Z_][a-zA-Z0-9_]* (Prometheus data model).</summary>
    public static bool IsValidLabelName(string name) => IsValidName(name, allowColon: false);

    private static bool IsValidName(string name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name)) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_'
                || (allowColon && c == ':')
                || (i > 0 && c is >= '0' and <= '9');
            if (!ok) return false;
        }
        return true;
    }
}
