namespace McpEgress.Detection;

/// <summary>
/// What the detection stage looks for. Defaults: deny giftshop.club (the postmark-mcp exfiltration domain),
/// allow no foreign hidden domains, every rule enabled at its default severity.
/// Domain entries: <c>example.com</c> covers the domain and its subdomains, <c>*.example.com</c> only subdomains.
/// </summary>
public sealed class DetectionPolicy
{
    public static IReadOnlyList<string> DefaultDeniedDomains { get; } = ["giftshop.club"];

    public IReadOnlyList<string> DeniedDomains { get; init; } = DefaultDeniedDomains;
    public IReadOnlyList<string> AllowedHiddenDomains { get; init; } = [];
    /// <summary>Known sinks added to the built-in list (<c>detection.known_sinks.extra</c>).</summary>
    public IReadOnlyList<KnownSink> ExtraKnownSinks { get; init; } = [];
    /// <summary>Built-in known sinks switched off, by vendor or domain entry (<c>detection.known_sinks.disabled</c>; <see cref="KnownSinks.IsBuiltIn"/>).</summary>
    public IReadOnlyList<string> DisabledKnownSinks { get; init; } = [];
    /// <summary>Overrides by rule id (<see cref="DetectionEngine.KnownRuleIds"/>); a rule not listed is enabled at its default severity.</summary>
    public IReadOnlyDictionary<string, RuleSettings> Rules { get; init; } = new Dictionary<string, RuleSettings>(StringComparer.Ordinal);

    public static DetectionPolicy Default { get; } = new();

    public RuleSettings SettingsFor(string ruleId) => Rules.TryGetValue(ruleId, out var s) ? s : RuleSettings.Default;
}
