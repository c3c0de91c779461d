namespace McpEgress.Detection.Baselines;

/// <summary>
/// Bounds of the in-memory baselines. Each map drops its least recently used entry when full; a dropped entry is
/// "never seen" again (a dropped sink restarts its count, a dropped domain can be "new" again). At the defaults the
/// store stays under about 100 MB however many distinct recipients pass (see the baseline benchmark).
/// </summary>
public sealed record BaselineLimits
{
    /// <summary>Hidden mailboxes tracked by hidden-sink (default 100,000).</summary>
    public int MaxSinks { get; init; } = 100_000;
    /// <summary>Hidden registrable domains the host has sent to (default 100,000).</summary>
    public int MaxHiddenDomains { get; init; } = 100_000;
    /// <summary>(sender, hidden domain) pairs (default 100,000).</summary>
    public int MaxSenderDomains { get; init; } = 100_000;
    /// <summary>Packages (npm/PyPI) tracked by behaviour-change (default 10,000).</summary>
    public int MaxPackages { get; init; } = 10_000;
    /// <summary>Versions kept per package, oldest out (default 32).</summary>
    public int MaxVersionsPerPackage { get; init; } = 32;
    /// <summary>Hidden domains kept per package (default 256).</summary>
    public int MaxDomainsPerPackage { get; init; } = 256;

    public static BaselineLimits Default { get; } = new();
}
