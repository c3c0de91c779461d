namespace McpEgress.Detection.Baselines;

/// <summary>
/// Told every change of an <see cref="InMemoryBaselineStore"/>, inside the store's lock, so a persistent copy can be
/// written behind (the state database queues them for its writer thread). Implementations must be quick and must not
/// throw: no I/O here.
/// </summary>
public interface IBaselineJournal
{
    void SinkChanged(SinkSnapshot sink);
    void HiddenDomainChanged(string domain, long firstSeenNs, long messages, long lastSeenNs);
    void SenderDomainSeen(string sender, string domain, long timestampNs);
    void PackageVersionChanged(string package, VersionStats version);
    void PackageDomainAdded(string package, string domain, long timestampNs);
}

/// <summary>A hidden sink's whole state: the ring of recent message times (oldest slot at <see cref="Next"/>) and its visible domains.</summary>
public sealed record SinkSnapshot(string Sink, long FirstSeenNs, long Total, long LastAlertNs, long[] Times, int Next,
    (string Domain, long LastSeenNs)[] Domains, int MaxDomains);
