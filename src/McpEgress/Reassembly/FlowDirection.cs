namespace McpEgress.Reassembly;

public enum FlowDirection : byte
{
    /// <summary>From the side that opened the connection (sent the SYN), or the side guessed to be the client.</summary>
    ClientToServer = 0,
    ServerToClient = 1,
}
