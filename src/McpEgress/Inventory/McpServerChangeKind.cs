namespace McpEgress.Inventory;

/// <summary>What happened to a server between two inventory refreshes.</summary>
public enum McpServerChangeKind
{
    Appeared,
    /// <summary>Its package version changed (input for behaviour baselines).</summary>
    VersionChanged,
    Disappeared,
}
