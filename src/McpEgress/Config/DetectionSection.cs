using McpEgress.Detection;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>detection:</c> section, read into a <see cref="DetectionPolicy"/> and written back:
/// <code>
/// detection:
///   denied_domains: [giftshop.club]          # "example.com" = it and subdomains, "*.example.com" = subdomains
///   allowed_hidden_domains: [partner.example] # hidden recipients here never raise hidden-foreign-domain
///   rules:
///     denied-domain: { enabled: true, severity: critical }   # severity: low | medium | high | critical
///     hidden-sink: { min_messages: 3, min_visible_domains: 3, window_seconds: 86400 }   # thresholds: DetectionEngine.ThresholdsOf
///   known_sinks:                            # CRM-logging/archive Bcc domains (KnownSinks.BuiltIn) beside the built-in ones
///     extra: [{ domain: bcc.crm.example, vendor: "Our CRM", source: "https://..." }]   # source optional
///     disabled: [Nutshell, pipedrivemail.com]  # built-in entries off, by vendor or domain entry
/// </code>
/// Domains are validated as <see cref="DomainPattern"/>s, rule ids against <see cref="DetectionEngine.KnownRuleIds"/>.
/// </summary>
internal static class DetectionSection
{
    public const string Name = "detection";
    private static readonly string[] Keys = ["denied_domains", "allowed_hidden_domains", "rules", "known_sinks"];
    private static readonly string[] KnownSinkKeys = ["extra", "disabled"];
    private static readonly string[] ExtraSinkKeys = ["domain", "vendor", "source"];
    private const int MaxVendorLength = 200;
    private static readonly string[] RuleKeys = ["enabled", "severity"];

    /// <param name="node">The section's mapping.</param>
    public static DetectionPolicy Read(ConfigNode node, ConfigValidator v)
    {
        var policy = DetectionPolicy.Default;
        IReadOnlyList<string> denied = policy.DeniedDomains, allowed = policy.AllowedHiddenDomains;
        IReadOnlyDictionary<string, RuleSettings> rules = policy.Rules;
        IReadOnlyList<KnownSink> extra = policy.ExtraKnownSinks;
        IReadOnlyList<string> disabled = policy.DisabledKnownSinks;
        foreach (var e in v.Entries(node, Name, Keys))
        {
            string p = Name + "." + e.Key;
            switch (e.Key)
            {
                case "denied_domains": denied = Domains(e.Value, p, v); break;
                case "allowed_hidden_domains": allowed = Domains(e.Value, p, v); break;
                case "rules": rules = Rules(e.Value, p, v); break;
                case "known_sinks": (extra, disabled) = KnownSinkChanges(e.Value, p, v); break;
            }
        }
        return new DetectionPolicy
        {
            DeniedDomains = denied, AllowedHiddenDomains = allowed, Rules = rules, ExtraKnownSinks = extra, DisabledKnownSinks = disabled,
        };
    }

    /// <summary>Every key with its effective value: each known rule with its severity, defaults included.</summary>
    public static YamlMappingNode Write(DetectionPolicy policy)
    {
        var rules = new YamlMappingNode();
        foreach (var id in DetectionEngine.KnownRuleIds)
        {
            var s = policy.SettingsFor(id);
            var rule = new YamlMappingNode
            {
                { "enabled", ConfigYamlWriter.Bool(s.Enabled) },
                { "severity", ConfigYamlWriter.Plain((s.Severity ?? DetectionEngine.DefaultSeverity(id)).ToString().ToLowerInvariant()) },
            };
            foreach (var t in DetectionEngine.ThresholdsOf(id))
                rule.Add(t.Key, ConfigYamlWriter.Plain(s.Get(t).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            rules.Add(id, ConfigYamlWriter.Flow(rule));
        }
        return new YamlMappingNode
        {
            { "denied_domains", ConfigYamlWriter.Strings(policy.DeniedDomains) },
            { "allowed_hidden_domains", ConfigYamlWriter.Strings(policy.AllowedHiddenDomains) },
            { "rules", rules },
            {
                "known_sinks", new YamlMappingNode
                {
                    {
                        "extra", new YamlSequenceNode(policy.ExtraKnownSinks.Select(ExtraSink))
                        {
                            Style = policy.ExtraKnownSinks.Count == 0 ? YamlDotNet.Core.Events.SequenceStyle.Flow : YamlDotNet.Core.Events.SequenceStyle.Block,
                        }
                    },
                    { "disabled", ConfigYamlWriter.Strings(policy.DisabledKnownSinks) },
                }
            },
        };
    }

    private static YamlNode ExtraSink(KnownSink k)
    {
        var node = new YamlMappingNode { { "domain", ConfigYamlWriter.String(k.Domain) }, { "vendor", ConfigYamlWriter.String(k.Vendor) } };
        if (k.Source.Length > 0) node.Add("source", ConfigYamlWriter.String(k.Source));
        return ConfigYamlWriter.Flow(node);
    }

    /// <summary><c>known_sinks: { extra: [{domain, vendor, source?}], disabled: [vendor or domain entry] }</c>.</summary>
    private static (IReadOnlyList<KnownSink> Extra, IReadOnlyList<string> Disabled) KnownSinkChanges(ConfigNode node, string path, ConfigValidator v)
    {
        var extra = new List<KnownSink>();
        var disabled = new List<string>();
        if (node.Kind == ConfigNodeKind.Null || !v.ExpectMapping(node, path)) return (extra, disabled);
        foreach (var e in v.Entries(node, path, KnownSinkKeys))
        {
            string p = path + "." + e.Key;
            if (e.Value.Kind == ConfigNodeKind.Null) continue;
            if (e.Value.Kind != ConfigNodeKind.Sequence)
            {
                v.Error(e.Value, p, e.Key == "extra"
                    ? $"expected a list of {{domain, vendor}} mappings, got {e.Value.Describe()}"
                    : $"expected a list of built-in vendors or domains, got {e.Value.Describe()}");
                continue;
            }
            for (int i = 0; i < e.Value.Items!.Count; i++)
            {
                var item = e.Value.Items[i];
                string ip = $"{p}[{i}]";
                if (e.Key == "disabled")
                {
                    if (item.Kind is not (ConfigNodeKind.String or ConfigNodeKind.Plain))
                        v.Error(item, ip, $"expected a vendor or domain string, got {item.Describe()}");
                    else if (!KnownSinks.IsBuiltIn(item.Text!))
                        v.Error(item, ip, $"\"{ConfigReadLimits.Quote(item.Text)}\" is no built-in known sink (vendors: " +
                            string.Join(", ", KnownSinks.BuiltIn.Select(k => k.Vendor)) + "; or their domain entries)");
                    else
                        disabled.Add(item.Text!);
                    continue;
                }
                if (!v.ExpectMapping(item, ip)) continue;
                string? domain = null, vendor = null, source = null;
                bool bad = false;
                foreach (var f in v.Entries(item, ip, ExtraSinkKeys))
                {
                    string fp = ip + "." + f.Key;
                    string? problem = f.Value.Kind is not (ConfigNodeKind.String or ConfigNodeKind.Plain) || string.IsNullOrWhiteSpace(f.Value.Text)
                        ? $"expected a non-empty string, got {f.Value.Describe()}"
                        : f.Key == "domain" && !DomainPattern.TryParse(f.Value.Text, out _, out var why)
                            ? $"invalid domain \"{ConfigReadLimits.Quote(f.Value.Text)}\": {why}"
                            : f.Key == "vendor" && f.Value.Text!.Length > MaxVendorLength
                                ? $"expected a vendor name of at most {MaxVendorLength} characters, got {f.Value.Text.Length}"
                                : null;
                    if (problem is not null) { v.Error(f.Value, fp, problem); bad = true; }
                    else if (f.Key == "domain") domain = f.Value.Text;
                    else if (f.Key == "vendor") vendor = f.Value.Text;
                    else source = f.Value.Text;
                }
                if (domain is not null && vendor is not null) extra.Add(new KnownSink(vendor, domain, source ?? ""));
                else if (!bad) v.Error(item, ip, "a known sink needs both domain and vendor");
            }
        }
        return (extra, disabled);
    }

    private static List<string> Domains(ConfigNode node, string path, ConfigValidator v)
    {
        var result = new List<string>();
        if (node.Kind != ConfigNodeKind.Sequence)
        {
            v.Error(node, path, $"expected a list of domains, got {node.Describe()}");
            return result;
        }
        for (int i = 0; i < node.Items!.Count; i++)
        {
            var item = node.Items[i];
            string p = $"{path}[{i}]";
            if (item.Kind is not (ConfigNodeKind.String or ConfigNodeKind.Plain))
                v.Error(item, p, $"expected a domain string, got {item.Describe()}");
            else if (!DomainPattern.TryParse(item.Text, out _, out var why))
                v.Error(item, p, $"invalid domain \"{ConfigReadLimits.Quote(item.Text)}\": {why}");
            else
                result.Add(item.Text!);
        }
        return result;
    }

    private static Dictionary<string, RuleSettings> Rules(ConfigNode node, string path, ConfigValidator v)
    {
        var result = new Dictionary<string, RuleSettings>(StringComparer.Ordinal);
        if (node.Kind == ConfigNodeKind.Null || !v.ExpectMapping(node, path)) return result;
        foreach (var e in v.Entries(node, path, null))
        {
            string p = path + "." + e.Key;
            if (!DetectionEngine.KnownRuleIds.Contains(e.Key))
            {
                v.Error(e, p, $"unknown rule id \"{ConfigReadLimits.Quote(e.Key)}\" (known: {string.Join(", ", DetectionEngine.KnownRuleIds)})");
                continue;
            }
            if (e.Value.Kind == ConfigNodeKind.Null) continue;
            if (!v.ExpectMapping(e.Value, p)) continue;
            var settings = RuleSettings.Default;
            var thresholds = DetectionEngine.ThresholdsOf(e.Key);
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var r in v.Entries(e.Value, p, [.. RuleKeys, .. thresholds.Select(t => t.Key)]))
            {
                string rp = p + "." + r.Key;
                if (thresholds.FirstOrDefault(t => t.Key == r.Key) is { } t)
                {
                    if (r.Value.Kind is ConfigNodeKind.Plain && long.TryParse(r.Value.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)
                        && n >= t.Min && n <= t.Max)
                        values[t.Key] = n;
                    else
                        v.Error(r.Value, rp, $"expected a whole number from {t.Min} to {t.Max} ({t.Meaning}), got {r.Value.Describe()}");
                }
                else if (r.Key == "enabled")
                {
                    if (ConfigValidator.AsBool(r.Value) is { } b) settings = settings with { Enabled = b };
                    else v.Error(r.Value, rp, $"expected true or false, got {r.Value.Describe()}");
                }
                else if (AsSeverity(r.Value) is { } s)
                    settings = settings with { Severity = s };
                else
                    v.Error(r.Value, rp, r.Value.Kind is ConfigNodeKind.String or ConfigNodeKind.Plain
                        ? $"unknown severity \"{ConfigReadLimits.Quote(r.Value.Text)}\" (expected low, medium, high or critical)"
                        : $"expected a severity (low, medium, high or critical), got {r.Value.Describe()}");
            }
            result[e.Key] = values.Count == 0 ? settings : settings with { Thresholds = values };
        }
        return result;
    }

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
