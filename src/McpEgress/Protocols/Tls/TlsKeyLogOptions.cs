namespace McpEgress.Protocols.Tls;

/// <summary>Limits of a <see cref="TlsKeyLog"/>.</summary>
public sealed class TlsKeyLogOptions
{
    /// <summary>
    /// Most client randoms kept (each holds up to eight secrets, a few hundred bytes). Past this the oldest
    /// entry is evicted (anomaly <c>keylog_evicted</c>). Default 100 000 (~30 MB worst case).
    /// </summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Longest key log line accepted; longer lines are malformed. Default 1024 (real lines are ~180).</summary>
    public int MaxLineLength { get; init; } = 1024;
}
