using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using McpEgress.Pipeline;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>limits:</c> section, read into the stages' options classes (<see cref="PipelineOptions"/>) and written back.
/// Sections and keys are the options classes and their properties in snake_case (<c>limits.reassembly.max_flows</c>);
/// durations take seconds or a string like <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>250ms</c>. Unknown sections or keys and
/// bad values are config errors that name the key and where it was written.
/// </summary>
internal static class LimitsSection
{
    public const string Name = "limits";

    /// <summary>The option objects a config can reach, by section name. New stages add their options here.</summary>
    private static readonly (string Name, Func<PipelineOptions, object> Options)[] Sections =
    [
        ("capture", o => o.Capture),
        ("decode", o => o.Decoder),
        ("reassembly", o => o.Reassembly),
        ("protocol", o => o.Protocols.Protocol),
        ("smtp", o => o.Protocols.Smtp),
        ("imf", o => o.Protocols.Imf),
        ("tls", o => o.Protocols.Tls),
        ("keylog", o => o.Protocols.KeyLog),
        ("http", o => o.Protocols.Http),
        ("mail_api", o => o.Protocols.MailApi),
        ("tunnel", o => o.Protocols.Tunnel),
    ];

    public static PipelineOptions Read(ConfigNode node, ConfigValidator v)
    {
        var options = new PipelineOptions();
        foreach (var e in v.Entries(node, Name, null))
        {
            string path = $"{Name}.{e.Key}";
            int section = Array.FindIndex(Sections, s => s.Name == e.Key);
            if (section < 0)
            {
                v.Error(e, path, $"unknown section; expected one of: {string.Join(", ", Sections.Select(s => s.Name).Order(StringComparer.Ordinal))}");
                continue;
            }
            if (e.Value.Kind != ConfigNodeKind.Mapping)
            {
                v.Error(e, path, "expected a mapping of limit names to values");
                continue;
            }
            var target = Sections[section].Options(options);
            var props = Properties(target.GetType());
            foreach (var limit in v.Entries(e.Value, path, null))
            {
                string keyPath = $"{path}.{limit.Key}";
                if (!props.TryGetValue(limit.Key, out var prop))
                    v.Error(limit, keyPath, $"unknown limit; expected one of: {string.Join(", ", props.Keys.Order(StringComparer.Ordinal))}");
                else if (TryConvert(limit.Value.Scalar(), prop.PropertyType, out var converted, out var problem))
                    prop.SetValue(target, converted);
                else
                    v.Error(limit, keyPath, problem!);
            }
        }
        return options;
    }

    /// <summary>Every section with every limit's effective value, in a form <see cref="Read"/> reads back to the same value.</summary>
    public static YamlMappingNode Write(PipelineOptions options)
    {
        var map = new YamlMappingNode();
        foreach (var (name, get) in Sections)
        {
            var target = get(options);
            var section = new YamlMappingNode();
            foreach (var (key, prop) in Properties(target.GetType()))
                section.Add(key, ConfigYamlWriter.Plain(Format(prop.GetValue(target)!)));
            map.Add(name, section);
        }
        return map;
    }

    /// <summary>The settable limits of one options class by snake_case name, in declaration order.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Options classes are McpEgress types; the AOT CLI roots the McpEgress assembly (TrimmerRootAssembly), so their properties are kept.")]
    private static Dictionary<string, PropertyInfo> Properties(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && IsSupported(p.PropertyType))
            .ToDictionary(p => SnakeCase(p.Name), StringComparer.Ordinal);

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        TimeSpan t => FormatDuration(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"unsupported limit type {value.GetType()}", nameof(value)),
    };

    /// <summary>The first of 1h, 5m, 30s, 250ms (a whole number) that reads back to exactly <paramref name="value"/>, else seconds.</summary>
    internal static string FormatDuration(TimeSpan value)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var (amount, unit) in new[] { (value.TotalHours, "h"), (value.TotalMinutes, "m"), (value.TotalSeconds, "s"), (value.TotalMilliseconds, "ms") })
        {
            string text = amount.ToString(inv) + unit;
            if (amount == Math.Floor(amount) && TryParseDuration(text, out var back) && back == value) return text;
        }
        return value.TotalSeconds.ToString("R", inv) + "s";
    }

    private static bool IsSupported(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(bool) || t == typeof(double) || t == typeof(TimeSpan);

    private static bool TryConvert(object? raw, Type type, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        string? text = raw switch
        {
            null => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            _ => null,
        };
        if (text is null) { problem = $"expected a {TypeName(type)}"; return false; }
        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b)) { value = b; return true; }
            problem = "expected true or false"; return false;
        }
        if (type == typeof(TimeSpan))
        {
            if (TryParseDuration(text, out var ts) && ts > TimeSpan.Zero) { value = ts; return true; }
            problem = $"expected a positive duration (seconds, or like 30s, 5m, 1h), got '{text}'"; return false;
        }
        if (type == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0) { value = d; return true; }
            problem = $"expected a non-negative number, got '{text}'"; return false;
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l > 0)
        {
            if (type == typeof(int))
            {
                if (l > int.MaxValue) { problem = $"must be at most {int.MaxValue}"; return false; }
                value = (int)l;
            }
            else value = l;
            return true;
        }
        problem = $"expected a positive whole number, got '{text}'";
        return false;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        text = text.Trim();
        value = default;
        if (text.Length == 0) return false;
        double unit = char.ToLowerInvariant(text[^1]) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        string number = unit == 0 ? text : text[..^1];
        if (unit == 0) unit = 1;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase)) { number = text[..^2]; unit = 0.001; }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || n > 1e9) return false;
        value = TimeSpan.FromSeconds(n * unit);
        return true;
    }

    private static string TypeName(Type t) => t == typeof(bool) ? "boolean" : t == typeof(TimeSpan) ? "duration" : "number";

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
