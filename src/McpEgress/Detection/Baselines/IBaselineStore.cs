namespace McpEgress.Detection.Baselines;

/// <summary>
/// What the baseline rules remember between messages, in capture-time order (each call passes the message's packet
/// time). One store per host. Implementations are bounded (oldest entries out) and thread-safe. Today's
/// implementation is <see cref="InMemoryBaselineStore"/>: baselines last one run (a replay, or one watch process).
/// A persistent store (the state database of issue 13) implements the same calls.
/// </summary>
public interface IBaselineStore
{
    /// <summary>
    /// Records one message's copy to the hidden mailbox <paramref name="sink"/> (<see cref="HiddenRecipients.SinkKey"/>)
    /// whose visible recipients are in <paramref name="visibleDomains"/> (registrable domains), and returns the sink's
    /// state within the last <paramref name="windowNs"/> including this message. <paramref name="trackMessages"/> and
    /// <paramref name="trackDomains"/> bound what is kept per sink (the rule's thresholds).
    /// </summary>
    SinkWindow RecordSinkCopy(string sink, IReadOnlyCollection<string> visibleDomains, long timestampNs, long windowNs, int trackMessages, int trackDomains);

    /// <summary>Notes that a hidden-sink alert was raised for <paramref name="sink"/> at <paramref name="timestampNs"/>.</summary>
    void MarkSinkAlerted(string sink, long timestampNs);

    /// <summary>
    /// Records a hidden recipient in registrable domain <paramref name="domain"/>, sent by <paramref name="sender"/>
    /// (null when unknown), and says whether it is the host's first, and the sender's first.
    /// </summary>
    HiddenDomainSeen RecordHiddenDomain(string domain, string? sender, long timestampNs);

    /// <summary>
    /// Records one message of <paramref name="package"/> at <paramref name="version"/> carrying hidden recipients in
    /// <paramref name="hiddenDomains"/> (registrable; empty for clean mail). Returns the domains this package never sent
    /// hidden mail to before, and its other versions as they were before this message.
    /// </summary>
    SenderSeen RecordSenderMessage(string package, string version, IReadOnlyCollection<string> hiddenDomains, long timestampNs);

    /// <summary>Entries dropped by the bounds so far (a dropped entry counts as never seen again).</summary>
    long Evictions { get; }

    /// <summary>Entries held now (sinks + domains + sender-domain pairs + packages).</summary>
    long Count { get; }
}

/// <summary>A sink's recent history: messages and distinct visible domains within the window, and since when it is known.</summary>
public readonly record struct SinkWindow(int Messages, IReadOnlyList<string> VisibleDomains, long FirstSeenNs, long TotalMessages, long LastAlertNs);

/// <summary>Whether a hidden domain is new for the host and for the sender, with the host's history before this one.</summary>
public readonly record struct HiddenDomainSeen(bool NewForHost, bool NewForSender, long HostFirstSeenNs, long HostMessages);

/// <summary>One other version of a package: how many messages it sent and when.</summary>
public sealed record VersionStats(string Version, long Messages, long FirstSeenNs, long LastSeenNs);

/// <summary>The answer to <see cref="IBaselineStore.RecordSenderMessage"/>.</summary>
public sealed record SenderSeen(IReadOnlyList<string> NewDomains, IReadOnlyList<VersionStats> OtherVersions, long VersionFirstSeenNs);
