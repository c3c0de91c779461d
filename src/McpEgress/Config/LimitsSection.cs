using System.Globalization;
using System.Reflection;
using System.Text;
using McpEgress.Detection;

namespace McpEgress.Pipeline;

/// <summary>
/// Applies a config file's <c>limits:</c> section to the stages' options classes. Sections and keys are the options
/// classes and their properties in snake_case (<c>limits.reassembly.max_flows</c>); durations take seconds or a string
/// like <c>30s</c>, <c>5m</c>, <c>1h</c>. Unknown sections or keys and bad values are config errors that name the key.
/// </summary>
public static class LimitsBinder
{
    public static PipelineOptions Bind(IReadOnlyDictionary<string, object?> limits, string source = "<config>")
    {
        var options = new PipelineOptions();
        var sections = Sections(options);
        var errors = new List<ConfigError>();
        foreach (var (sectionName, value) in limits)
        {
            string path = $"limits.{sectionName}";
            if (!sections.TryGetValue(sectionName, out var target))
            {
                errors.Add(new ConfigError(source, 0, 0, path, $"unknown section; expected one of: {string.Join(", ", sections.Keys.Order())}"));
                continue;
            }
            if (value is not IReadOnlyDictionary<string, object?> and not IDictionary<string, object?>)
            {
                errors.Add(new ConfigError(source, 0, 0, path, "expected a mapping of limit names to values"));
                continue;
            }
            var entries = value as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var props = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && IsSupported(p.PropertyType))
                .ToDictionary(p => SnakeCase(p.Name), StringComparer.Ordinal);
            foreach (var (key, raw) in entries)
            {
                string keyPath = $"{path}.{key}";
                if (!props.TryGetValue(key, out var prop))
                {
                    errors.Add(new ConfigError(source, 0, 0, keyPath, $"unknown limit; expected one of: {string.Join(", ", props.Keys.Order())}"));
                    continue;
                }
                if (TryConvert(raw, prop.PropertyType, out var converted, out var problem))
                    prop.SetValue(target, converted);
                else
                    errors.Add(new ConfigError(source, 0, 0, keyPath, problem!));
            }
        }
        if (errors.Count > 0) throw new ConfigException(errors);
        return options;
    }

    /// <summary>The option objects a config can reach, by section name. New stages add their options here.</summary>
    private static Dictionary<string, object> Sections(PipelineOptions o) => new(StringComparer.Ordinal)
    {
        ["capture"] = o.Capture,
        ["decode"] = o.Decoder,
        ["reassembly"] = o.Reassembly,
        ["protocol"] = o.Protocols.Protocol,
        ["smtp"] = o.Protocols.Smtp,
        ["imf"] = o.Protocols.Imf,
        ["tls"] = o.Protocols.Tls,
        ["keylog"] = o.Protocols.KeyLog,
        ["http"] = o.Protocols.Http,
        ["mail_api"] = o.Protocols.MailApi,
    };

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

    private static bool TryParseDuration(string text, out TimeSpan value)
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
