using McpEgress.Daemon;
using McpEgress.Detection;
using McpEgress.Pipeline;

namespace McpEgress.Config;

/// <summary>
/// The whole McpEgress config file, typed: one object per section, each read and validated by its section class
/// (<see cref="DetectionSection"/>, <see cref="LimitsSection"/>, <see cref="WatchSection"/>) and holding the built-in
/// default for everything the file does not set. See <see cref="ConfigLoader"/> for the shape.
/// The options objects are mutable (the stages' own options classes): a consumer that changes one (command-line
/// flags over <see cref="Watch"/>, the daemon's key hold over <see cref="Limits"/>) changes a copy.
/// </summary>
public sealed class McpEgressConfig
{
    /// <summary><c>detection:</c> what the rules look for.</summary>
    public DetectionPolicy Detection { get; init; } = DetectionPolicy.Default;

    /// <summary><c>limits:</c> every stage's options.</summary>
    public PipelineOptions Limits { get; init; } = new();

    /// <summary><c>watch:</c> the live daemon's settings (used by <c>mcp-egress watch</c> only).</summary>
    public WatchOptions Watch { get; init; } = new();

    /// <summary><c>inventory:</c> the daemon's MCP server inventory (used by <c>mcp-egress watch</c> only).</summary>
    public InventoryWatchOptions Inventory { get; init; } = new();

    /// <summary><c>state:</c> the state database (baselines, inventory history); see <see cref="McpEgress.State.StateOptions"/>.</summary>
    public McpEgress.State.StateOptions State { get; init; } = new();

    /// <summary><c>replay:</c> settings of <c>mcp-egress replay</c> (packet workers).</summary>
    public ReplayOptions Replay { get; init; } = new();

    /// <summary>The file it came from; null for the built-in default or parsed text.</summary>
    public string? SourcePath { get; init; }

    /// <summary>This config with <paramref name="state"/> as its <c>state:</c> section (a command's flag over the file).</summary>
    public McpEgressConfig WithState(McpEgress.State.StateOptions state) => new()
    {
        Detection = Detection, Limits = Limits, Watch = Watch, Inventory = Inventory, State = state, Replay = Replay, SourcePath = SourcePath,
    };

    /// <summary>The built-in configuration used when no file is given (a new object each time: its options are mutable).</summary>
    public static McpEgressConfig Default => new();
}
