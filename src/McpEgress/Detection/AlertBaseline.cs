namespace McpEgress.Detection;

/// <summary>
/// The baseline an alert broke, so that one event explains itself: what was known before this message and since when.
/// Every member may be missing (each rule fills what it knows). Times are packet times (Unix ns).
/// </summary>
public sealed record AlertBaseline
{
    /// <summary>The sink (normalized hidden mailbox) or domain the baseline is about.</summary>
    public string? Subject { get; init; }
    /// <summary>When the subject was first seen by this host.</summary>
    public long? FirstSeenNs { get; init; }
    /// <summary>Messages counted (in the window for hidden-sink; all before this one for new-hidden-domain).</summary>
    public long? Messages { get; init; }
    /// <summary>The window the counts cover, in seconds (hidden-sink).</summary>
    public long? WindowSeconds { get; init; }
    /// <summary>Distinct visible registrable domains the sink's messages went to within the window (hidden-sink).</summary>
    public IReadOnlyList<string> VisibleDomains { get; init; } = [];
    /// <summary>The sender (package, else executable).</summary>
    public string? Sender { get; init; }
    /// <summary>The sender's version now (behaviour-change).</summary>
    public string? NewVersion { get; init; }
    /// <summary>The sender's earlier versions (behaviour-change), first seen first.</summary>
    public IReadOnlyList<string> OldVersions { get; init; } = [];
    /// <summary>Messages the earlier versions sent, none with a hidden recipient in the domain (behaviour-change).</summary>
    public long? OldVersionMessages { get; init; }
    /// <summary>The known-sink vendor of the domain, if any.</summary>
    public string? KnownSink { get; init; }
}
