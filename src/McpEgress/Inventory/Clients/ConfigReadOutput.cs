namespace McpEgress.Inventory.Clients;

/// <summary>What reading config files yields: servers, problems, and project folders a file names (Claude Code's <c>projects</c>).</summary>
public sealed class ConfigReadOutput
{
    public List<ConfiguredServer> Servers { get; } = [];
    public List<ConfigProblem> Problems { get; } = [];
    public List<string> Projects { get; } = [];
}
