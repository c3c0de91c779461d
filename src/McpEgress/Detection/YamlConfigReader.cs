using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Detection;

/// <summary>YAML text to a <see cref="ConfigNode"/> tree, keeping YamlDotNet's 1-based marks.</summary>
internal static class YamlConfigReader
{
    /// <summary>Null root for an empty document; syntax problems go to <paramref name="errors"/>.</summary>
    public static ConfigNode? Read(string text, string source, List<ConfigError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string what = Describe(e);
            // YamlDotNet rejects duplicate keys while loading, before a key path is known.
            what = what.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"duplicate key \"{what["Duplicate key ".Length..]}\""
                : "YAML syntax error: " + what;
            errors.Add(new ConfigError(source, (int)e.Start.Line, (int)e.Start.Column, "", what));
            return null;
        }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            errors.Add(new ConfigError(source, (int)second.Line, (int)second.Column, "", "expected one YAML document, found several"));
            return null;
        }
        return Convert(stream.Documents[0].RootNode, source, errors);
    }

    private static ConfigNode Convert(YamlNode node, string source, List<ConfigError> errors)
    {
        int line = (int)node.Start.Line, col = (int)node.Start.Column;
        switch (node)
        {
            case YamlScalarNode s:
            {
                string value = s.Value ?? "";
                bool plain = s.Style is ScalarStyle.Plain or ScalarStyle.Any;
                // YAML 1.2 core schema null: empty, ~, null/Null/NULL.
                if (plain && value is "" or "~" or "null" or "Null" or "NULL")
                    return new ConfigNode { Kind = ConfigNodeKind.Null, Line = line, Column = col };
                return new ConfigNode { Kind = plain ? ConfigNodeKind.Plain : ConfigNodeKind.String, Text = value, Line = line, Column = col };
            }
            case YamlSequenceNode seq:
                return new ConfigNode
                {
                    Kind = ConfigNodeKind.Sequence, Line = line, Column = col,
                    Items = seq.Children.Select(c => Convert(c, source, errors)).ToList(),
                };
            case YamlMappingNode map:
            {
                var entries = new List<ConfigEntry>();
                foreach (var (k, v) in map.Children)
                {
                    string key = k is YamlScalarNode ks ? ks.Value ?? "" : "";
                    if (k is not YamlScalarNode)
                        errors.Add(new ConfigError(source, (int)k.Start.Line, (int)k.Start.Column, "", "mapping keys must be plain strings"));
                    entries.Add(new ConfigEntry(key, (int)k.Start.Line, (int)k.Start.Column, Convert(v, source, errors)));
                }
                return new ConfigNode { Kind = ConfigNodeKind.Mapping, Line = line, Column = col, Entries = entries };
            }
            default:
                errors.Add(new ConfigError(source, line, col, "", "unsupported YAML node"));
                return new ConfigNode { Kind = ConfigNodeKind.Null, Line = line, Column = col };
        }
    }

    // YamlException.Message repeats the marks as "(Line: 3, Col: 5, Idx: 20) - (...): text"; keep the text.
    private static string Describe(YamlException e)
    {
        string m = e.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : e.Message;
        int cut = m.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && m.StartsWith('(') ? m[(cut + 3)..] : m;
    }
}
