namespace McpEgress.Detection;

/// <summary>
/// Reads the McpEgress config file, YAML (.yml/.yaml) or JSON (.json), into an <see cref="McpEgressConfig"/>.
/// Shape (every key optional; keys are snake_case, rule ids and severities as below):
/// <code>
/// detection:
///   denied_domains: [giftshop.club]          # list of domains; "example.com" = it and subdomains, "*.example.com" = subdomains
///   allowed_hidden_domains: [partner.example] # hidden recipients here never raise hidden-foreign-domain
///   rules:
///     denied-domain: { enabled: true, severity: critical }
///     hidden-foreign-domain: { enabled: true, severity: high }   # severity: low | medium | high | critical
/// limits: { ... }                             # reserved for other stages; any mapping, kept as is
/// watch: { ... }                              # the live daemon's settings (McpEgress.Daemon.WatchConfig); any mapping, kept as is
/// </code>
/// An omitted key keeps its built-in default; <c>denied_domains: []</c> denies nothing. Unknown keys (at the top
/// level and inside <c>detection</c> and rule settings), wrong types, invalid domains, unknown rule ids and unknown
/// severities are errors. All errors are collected and thrown together as a <see cref="ConfigException"/>, each as
/// <c>file:line:column: key.path[index]: problem</c>.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] TopKeys = ["detection", "limits", "watch"];
    private static readonly string[] DetectionKeys = ["denied_domains", "allowed_hidden_domains", "rules"];
    private static readonly string[] RuleKeys = ["enabled", "severity"];

    /// <summary>The built-in config when <paramref name="path"/> is null or empty, else <see cref="Load"/>.</summary>
    public static McpEgressConfig LoadOrDefault(string? path) => string.IsNullOrEmpty(path) ? McpEgressConfig.Default : Load(path);

    /// <summary>
    /// Reads and validates <paramref name="path"/> within <paramref name="limits"/> (default
    /// <see cref="ConfigReadLimits.Default"/>): at most <see cref="ConfigReadLimits.MaxFileBytes"/> are read, so a huge
    /// file or an endless stream (<c>/dev/zero</c>) is an error, not an OutOfMemoryException.
    /// </summary>
    /// <exception cref="ConfigException">The file cannot be read or is not a valid config.</exception>
    public static McpEgressConfig Load(string path, ConfigReadLimits? limits = null)
    {
        limits ??= ConfigReadLimits.Default;
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string format = ext switch
        {
            ".yml" or ".yaml" => "yaml",
            ".json" => "json",
            _ => throw new ConfigException([new ConfigError(path, 0, 0, "",
                $"unsupported config file extension \"{ConfigReadLimits.Quote(ext)}\" (expected .yml, .yaml or .json)")]),
        };
        var config = Parse(ReadCapped(path, limits.MaxFileBytes), format, path, limits);
        return new McpEgressConfig
        {
            Detection = config.Detection, Limits = config.Limits, Watch = config.Watch, Positions = config.Positions, SourcePath = path,
        };
    }

    /// <summary>The file's text, reading at most <paramref name="maxBytes"/> + 1 bytes whatever the file claims to be.</summary>
    private static string ReadCapped(string path, long maxBytes)
    {
        static ConfigException Fail(string path, string problem) => new([new ConfigError(path, 0, 0, "", problem)]);
        if (Directory.Exists(path)) throw Fail(path, "cannot read the file: it is a directory");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
            var data = new MemoryStream();
            int n;
            while ((n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1 - data.Length))) > 0)
            {
                data.Write(buffer, 0, n);
                if (data.Length > maxBytes)
                    throw Fail(path, $"the file is larger than {maxBytes} bytes (the config size limit); is it really a config file?");
            }
            data.Position = 0;
            using var reader = new StreamReader(data, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw Fail(path, "cannot read the file: " + why);
        }
    }

    /// <param name="format">"yaml" or "json" (also "yml").</param>
    /// <param name="source">Name used in error messages.</param>
    /// <exception cref="ConfigException">The text is not a valid config.</exception>
    /// <param name="limits">Depth, alias and node budgets (default <see cref="ConfigReadLimits.Default"/>).</param>
    public static McpEgressConfig Parse(string text, string format, string source = "<config>", ConfigReadLimits? limits = null)
    {
        limits ??= ConfigReadLimits.Default;
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var errors = new List<ConfigError>();
        ConfigNode? root = format.ToLowerInvariant() switch
        {
            "yaml" or "yml" => YamlConfigReader.Read(text, source, errors, limits),
            "json" => JsonConfigReader.Read(text, source, errors, limits),
            _ => throw new ArgumentException($"unknown config format \"{format}\" (expected yaml or json)", nameof(format)),
        };
        if (errors.Count > 0) throw new ConfigException(errors);
        var config = new Validator(source, errors).Root(root);
        if (errors.Count > 0) throw new ConfigException(errors);
        return config;
    }

    private sealed class Validator(string source, List<ConfigError> errors)
    {
        public McpEgressConfig Root(ConfigNode? root)
        {
            if (root is null || root.Kind == ConfigNodeKind.Null) return McpEgressConfig.Default;
            if (!ExpectMapping(root, "")) return McpEgressConfig.Default;

            DetectionPolicy detection = DetectionPolicy.Default;
            IReadOnlyDictionary<string, object?> limits = McpEgressConfig.Default.Limits;
            IReadOnlyDictionary<string, object?> watch = McpEgressConfig.Default.Watch;
            var positions = new Dictionary<string, (int Line, int Column)>(StringComparer.Ordinal);
            foreach (var e in Entries(root, "", TopKeys))
            {
                switch (e.Key)
                {
                    case "detection":
                        detection = Detection(e.Value, "detection");
                        break;
                    case "limits":
                        if (e.Value.Kind == ConfigNodeKind.Null) break;
                        if (ExpectMapping(e.Value, "limits"))
                        {
                            limits = (IReadOnlyDictionary<string, object?>)e.Value.ToPlainObject()!;
                            RecordPositions(e.Value, "limits", positions);
                        }
                        break;
                    case "watch":
                        if (e.Value.Kind == ConfigNodeKind.Null) break;
                        if (ExpectMapping(e.Value, "watch"))
                        {
                            watch = (IReadOnlyDictionary<string, object?>)e.Value.ToPlainObject()!;
                            RecordPositions(e.Value, "watch", positions);
                        }
                        break;
                }
            }
            return new McpEgressConfig { Detection = detection, Limits = limits, Watch = watch, Positions = positions };
        }

        /// <summary>Where each key and list item of a free-form section was written, by key path (watch.interfaces[0]).</summary>
        private static void RecordPositions(ConfigNode node, string path, Dictionary<string, (int Line, int Column)> positions)
        {
            if (positions.Count >= 10_000) return; // free-form sections are small; never grow without bound
            positions.TryAdd(path, (node.Line, node.Column));
            if (node.Kind == ConfigNodeKind.Mapping)
                foreach (var e in node.Entries!)
                {
                    string p = path + "." + e.Key;
                    positions.TryAdd(p, (e.Line, e.Column));
                    RecordPositions(e.Value, p, positions);
                }
            else if (node.Kind == ConfigNodeKind.Sequence)
                for (int i = 0; i < node.Items!.Count; i++)
                    RecordPositions(node.Items[i], $"{path}[{i}]", positions);
        }

        private DetectionPolicy Detection(ConfigNode node, string path)
        {
            var policy = DetectionPolicy.Default;
            if (node.Kind == ConfigNodeKind.Null || !ExpectMapping(node, path)) return policy;
            IReadOnlyList<string> denied = policy.DeniedDomains, allowed = policy.AllowedHiddenDomains;
            IReadOnlyDictionary<string, RuleSettings> rules = policy.Rules;
            foreach (var e in Entries(node, path, DetectionKeys))
            {
                string p = path + "." + e.Key;
                switch (e.Key)
                {
                    case "denied_domains": denied = Domains(e.Value, p); break;
                    case "allowed_hidden_domains": allowed = Domains(e.Value, p); break;
                    case "rules": rules = Rules(e.Value, p); break;
                }
            }
            return new DetectionPolicy { DeniedDomains = denied, AllowedHiddenDomains = allowed, Rules = rules };
        }

        private List<string> Domains(ConfigNode node, string path)
        {
            var result = new List<string>();
            if (node.Kind != ConfigNodeKind.Sequence)
            {
                Error(node, path, $"expected a list of domains, got {node.Describe()}");
                return result;
            }
            for (int i = 0; i < node.Items!.Count; i++)
            {
                var item = node.Items[i];
                string p = $"{path}[{i}]";
                if (item.Kind is not (ConfigNodeKind.String or ConfigNodeKind.Plain))
                    Error(item, p, $"expected a domain string, got {item.Describe()}");
                else if (!DomainPattern.TryParse(item.Text, out _, out var why))
                    Error(item, p, $"invalid domain \"{ConfigReadLimits.Quote(item.Text)}\": {why}");
                else
                    result.Add(item.Text!);
            }
            return result;
        }

        private Dictionary<string, RuleSettings> Rules(ConfigNode node, string path)
        {
            var result = new Dictionary<string, RuleSettings>(StringComparer.Ordinal);
            if (node.Kind == ConfigNodeKind.Null || !ExpectMapping(node, path)) return result;
            foreach (var e in Entries(node, path, null))
            {
                string p = path + "." + e.Key;
                if (!DetectionEngine.KnownRuleIds.Contains(e.Key))
                {
                    errors.Add(new ConfigError(source, e.Line, e.Column, p,
                        $"unknown rule id \"{ConfigReadLimits.Quote(e.Key)}\" (known: {string.Join(", ", DetectionEngine.KnownRuleIds)})"));
                    continue;
                }
                if (e.Value.Kind == ConfigNodeKind.Null) continue;
                if (!ExpectMapping(e.Value, p)) continue;
                var settings = RuleSettings.Default;
                foreach (var r in Entries(e.Value, p, RuleKeys))
                {
                    string rp = p + "." + r.Key;
                    if (r.Key == "enabled")
                    {
                        if (AsBool(r.Value) is { } b) settings = settings with { Enabled = b };
                        else Error(r.Value, rp, $"expected true or false, got {r.Value.Describe()}");
                    }
                    else if (AsSeverity(r.Value) is { } s)
                        settings = settings with { Severity = s };
                    else
                        Error(r.Value, rp, r.Value.Kind is ConfigNodeKind.String or ConfigNodeKind.Plain
                            ? $"unknown severity \"{ConfigReadLimits.Quote(r.Value.Text)}\" (expected low, medium, high or critical)"
                            : $"expected a severity (low, medium, high or critical), got {r.Value.Describe()}");
                }
                result[e.Key] = settings;
            }
            return result;
        }

        /// <summary>The entries of a mapping, reporting duplicates and (when <paramref name="known"/> is given) unknown keys.</summary>
        private IEnumerable<ConfigEntry> Entries(ConfigNode map, string path, string[]? known)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in map.Entries!)
            {
                string p = path.Length == 0 ? e.Key : path + "." + e.Key;
                if (!seen.Add(e.Key))
                {
                    errors.Add(new ConfigError(source, e.Line, e.Column, p, "duplicate key"));
                    continue;
                }
                if (known is not null && !known.Contains(e.Key))
                {
                    errors.Add(new ConfigError(source, e.Line, e.Column, p,
                        $"unknown key \"{ConfigReadLimits.Quote(e.Key)}\" (expected one of: {string.Join(", ", known)})"));
                    continue;
                }
                yield return e;
            }
        }

        private bool ExpectMapping(ConfigNode node, string path)
        {
            if (node.Kind == ConfigNodeKind.Mapping) return true;
            Error(node, path, $"expected a mapping, got {node.Describe()}");
            return false;
        }

        private void Error(ConfigNode node, string path, string problem) =>
            errors.Add(new ConfigError(source, node.Line, node.Column, path, problem));

        // YAML 1.2 core schema booleans when unquoted; JSON true/false.
        private static bool? AsBool(ConfigNode n) => n.Kind switch
        {
            ConfigNodeKind.Boolean => n.Text == "true",
            ConfigNodeKind.Plain => n.Text switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => null,
            },
            _ => null,
        };

        private static Severity? AsSeverity(ConfigNode n) =>
            n.Kind is not (ConfigNodeKind.String or ConfigNodeKind.Plain) ? null : n.Text!.ToLowerInvariant() switch
            {
                "low" => Severity.Low,
                "medium" => Severity.Medium,
                "high" => Severity.High,
                "critical" => Severity.Critical,
                _ => null,
            };
    }
}
