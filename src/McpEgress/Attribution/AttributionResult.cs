namespace McpEgress.Attribution;

/// <summary>How an <see cref="AttributionService"/> lookup ended.</summary>
public enum AttributionResult
{
    /// <summary>The owning process was found and described.</summary>
    Process,
    /// <summary>The socket was found, its process not (exited, or another user's without the right to read it): uid only.</summary>
    SocketOnly,
    /// <summary>The SYN tap had resolved the flow at its SYN.</summary>
    SynTap,
    /// <summary>A scan found no local socket for the flow.</summary>
    NoSocket,
    /// <summary>Neither end is an address of this host: no local socket can exist, nothing was scanned.</summary>
    NotLocal,
    /// <summary>The flow was found without a local socket a short while ago: not scanned again.</summary>
    NegativeCache,
}
