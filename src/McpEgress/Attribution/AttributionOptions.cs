namespace McpEgress.Attribution;

/// <summary>Limits of an <see cref="AttributionService"/>: how much /proc work it may do and how much it may hold.</summary>
public sealed class AttributionOptions
{
    /// <summary>
    /// /proc scans per second (<c>watch.attribution_scans_per_second</c>): reads of /proc/net/tcp{,6}, each answering
    /// every waiting lookup at once. A quarter of the budget (at least one scan) is kept for mail flows, so a flood of
    /// other connections never makes a mail flow wait for a token. Default 20 (up to 80,000 lookups a second at the default batch).
    /// </summary>
    public int ScansPerSecond { get; init; } = 20;

    /// <summary>
    /// Lookups waiting or answered but not yet taken by the pipeline (<c>watch.attribution_queue</c>). A request
    /// beyond it is dropped and counted (<see cref="AttributionService.Dropped"/>); mail flows have
    /// <see cref="MailQueue"/> more on top. Default 4096.
    /// </summary>
    public int MaxQueue { get; init; } = 4096;

    /// <summary>Extra room for mail flows' lookups when the queue is full. Default 256.</summary>
    public int MailQueue { get; init; } = 256;

    /// <summary>Lookups answered by one scan at most. Default 4096.</summary>
    public int MaxBatch { get; init; } = 4096;

    /// <summary>How long a flow found without a local socket is not looked up again. Default 30 s.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Flows remembered without a local socket. Default 65 536.</summary>
    public int MaxNegativeEntries { get; init; } = 65_536;

    /// <summary>How often the host's own addresses are read again (a flow whose ends are both foreign has no local socket). Default 5 s.</summary>
    public TimeSpan LocalAddressRefresh { get; init; } = LocalAddresses.DefaultRefresh;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ScansPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueue, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MailQueue, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNegativeEntries, 1);
        if (NegativeTtl < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(NegativeTtl));
    }
}
