namespace McpEgress.Pipeline;

/// <summary>The <c>replay:</c> section: settings of <c>mcp-egress replay</c> only.</summary>
public sealed class ReplayOptions
{
    /// <summary>Most packet workers a pipeline takes (<c>replay.workers</c>, <c>watch.workers</c>).</summary>
    public const int MaxWorkers = 256;

    /// <summary>Packet workers (threads that own flows) when none is configured: one per core.</summary>
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, MaxWorkers);

    /// <summary>Packet workers (<c>replay.workers</c>, <c>--workers</c>). Default: the number of cores.</summary>
    public int Workers { get; set; } = DefaultWorkers;

    public ReplayOptions Copy() => (ReplayOptions)MemberwiseClone();
}
