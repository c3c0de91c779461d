using McpEgress.Decode;

namespace McpEgress.Reassembly;

/// <summary>
/// Picks the server of a flow picked up mid-stream (no SYN seen): the endpoint on a well-known port (below 1024, or a
/// common mail/web port above it); if both are, the lower port; if neither, the destination of the first packet seen.
/// </summary>
internal static class ServerGuess
{
    public static bool IsWellKnown(ushort port) => port < 1024 || port is 2525 or 8443 or 8080;

    /// <summary>True when the destination of the first packet is the server.</summary>
    public static bool DestinationIsServer(Endpoint source, Endpoint destination)
    {
        bool src = IsWellKnown(source.Port), dst = IsWellKnown(destination.Port);
        if (src && dst) return destination.Port <= source.Port;
        if (src != dst) return dst;
        return true;
    }
}
