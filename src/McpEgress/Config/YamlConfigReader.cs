using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>YAML text to a <see cref="ConfigNode"/> tree, keeping YamlDotNet's 1-based marks.</summary>
internal static class YamlConfigReader
{
    /// <summary>Null root for an empty document; syntax problems and exceeded limits go to <paramref name="errors"/>.</summary>
    public static ConfigNode? Read(string text, string source, List<ConfigError> errors, ConfigReadLimits limits)
    {
        var stream = new YamlStream();
        try
        {
            // Budgets first, on the event stream, before any tree exists: YamlStream.Load and Convert recurse per level
            // (a 100 000-deep flow sequence overflows the stack) and Convert expands aliases (a billion-laughs bomb).
            if (CheckBudget(text, source, limits) is { } over)
            {
                errors.Add(over);
                return null;
            }
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
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // Found by fuzzing (tests/McpEgress.Fuzz/crashes/config): YamlDotNet throws these, not a YamlException,
            // on some malformed input (a plain scalar its scanner can't finish: InvalidOperationException; an event
            // its loader doesn't expect: ArgumentException). Still a syntax error of the file, never a crash.
            errors.Add(new ConfigError(source, 1, 1, "", "YAML syntax error: " + e.Message));
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

    /// <summary>
    /// One pass of YamlDotNet's low-level <see cref="Parser"/> (a state machine, no recursion) counting nesting depth,
    /// alias uses and the node count of the tree with every alias expanded (each anchor's expanded size is known when
    /// its node ends, so an alias adds that size). The first exceeded limit is the error.
    /// </summary>
    private static ConfigError? CheckBudget(string text, string source, ConfigReadLimits limits)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        // Per open mapping/list: its anchor (or null) and the expanded node count of its children so far.
        var open = new Stack<(string? Anchor, long Nodes)>();
        long total = 0;
        int aliases = 0;

        ConfigError Over(ParsingEvent e, string problem) => new(source, (int)e.Start.Line, (int)e.Start.Column, "", problem);
        void Add(long nodes)
        {
            if (open.Count == 0) total = SaturatingAdd(total, nodes);
            else
            {
                var top = open.Pop();
                open.Push((top.Anchor, SaturatingAdd(top.Nodes, nodes)));
            }
        }

        while (parser.MoveNext())
        {
            var e = parser.Current!;
            switch (e)
            {
                case MappingStart or SequenceStart:
                    if (open.Count >= limits.MaxDepth)
                        return Over(e, $"nested deeper than {limits.MaxDepth} levels (the config depth limit)");
                    var anchor = ((NodeEvent)e).Anchor;
                    open.Push((anchor.IsEmpty ? null : anchor.Value, 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var done = open.Pop();
                    if (done.Anchor is not null) anchors[done.Anchor] = done.Nodes;
                    Add(done.Nodes);
                    break;
                case Scalar sc:
                    if (!sc.Anchor.IsEmpty) anchors[sc.Anchor.Value] = 1;
                    Add(1);
                    break;
                case AnchorAlias alias:
                    if (++aliases > limits.MaxAliases)
                        return Over(e, $"more than {limits.MaxAliases} aliases (the config alias limit)");
                    Add(anchors.TryGetValue(alias.Value.Value, out long n) ? n : 1);
                    break;
                default:
                    continue;
            }
            long nodes = total;
            foreach (var frame in open) nodes = SaturatingAdd(nodes, frame.Nodes);
            if (nodes > limits.MaxNodes)
                return Over(e, $"more than {limits.MaxNodes} values once aliases are expanded (the config size limit; an alias bomb?)");
        }
        return null;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    // YamlException.Message repeats the marks as "(Line: 3, Col: 5, Idx: 20) - (...): text"; keep the text.
    private static string Describe(YamlException e)
    {
        string m = e.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : e.Message;
        int cut = m.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && m.StartsWith('(') ? m[(cut + 3)..] : m;
    }
}
