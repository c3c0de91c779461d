namespace McpEgress.Config;

/// <summary>
/// Reads the McpEgress config file, YAML (.yml/.yaml) or JSON (.json), into an <see cref="McpEgressConfig"/>.
/// Shape (every key optional; keys are snake_case):
/// <code>
/// detection: { ... }   # the rules' policy (DetectionSection): denied and allowed domains, rule switches
/// limits: { ... }      # every stage's options (LimitsSection): limits.reassembly.max_flows, ...
/// watch: { ... }       # the live daemon's settings (WatchSection): interfaces, key logs, output, ...
/// inventory: { ... }   # the daemon's MCP server inventory (InventorySection): refresh interval, advisories, homes
/// state: { ... }       # the state database (StateSection): path, retention_days
/// replay: { ... }      # replay's settings (ReplaySection): workers
/// </code>
/// An omitted key keeps its built-in default; <c>denied_domains: []</c> denies nothing. Unknown keys, duplicate keys,
/// wrong types and invalid values are errors in every section. All errors are collected and thrown together as a
/// <see cref="ConfigException"/>, each as <c>file:line:column: key.path[index]: problem</c>. The file itself is read
/// within <see cref="ConfigReadLimits"/> (size, depth, aliases) before any tree is built.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] TopKeys = [DetectionSection.Name, LimitsSection.Name, WatchSection.Name, InventorySection.Name, StateSection.Name, ReplaySection.Name];

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
        return new McpEgressConfig { Detection = config.Detection, Limits = config.Limits, Watch = config.Watch, Inventory = config.Inventory, State = config.State, Replay = config.Replay, SourcePath = path };
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
        var config = Root(root, new ConfigValidator(source, errors));
        if (errors.Count > 0) throw new ConfigException(errors);
        return config;
    }

    private static McpEgressConfig Root(ConfigNode? root, ConfigValidator v)
    {
        var config = McpEgressConfig.Default;
        if (root is null || root.Kind == ConfigNodeKind.Null || !v.ExpectMapping(root, "")) return config;
        var (detection, limits, watch, inventory, state, replay) = (config.Detection, config.Limits, config.Watch, config.Inventory, config.State, config.Replay);
        foreach (var e in v.Entries(root, "", TopKeys))
        {
            if (e.Value.Kind == ConfigNodeKind.Null || !v.ExpectMapping(e.Value, e.Key)) continue; // empty: the defaults
            switch (e.Key)
            {
                case DetectionSection.Name: detection = DetectionSection.Read(e.Value, v); break;
                case LimitsSection.Name: limits = LimitsSection.Read(e.Value, v); break;
                case WatchSection.Name: watch = WatchSection.Read(e.Value, v); break;
                case InventorySection.Name: inventory = InventorySection.Read(e.Value, v); break;
                case StateSection.Name: state = StateSection.Read(e.Value, v); break;
                case ReplaySection.Name: replay = ReplaySection.Read(e.Value, v); break;
            }
        }
        return new McpEgressConfig { Detection = detection, Limits = limits, Watch = watch, Inventory = inventory, State = state, Replay = replay };
    }
}
