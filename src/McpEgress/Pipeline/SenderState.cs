namespace McpEgress.Pipeline;

/// <summary>What an <see cref="ISenderSource"/> knows about the process of a message's flow.</summary>
public enum SenderState
{
    /// <summary>No lookup was made or is under way (replay, a lookup dropped, a flow attributed at open): judge now.</summary>
    Unknown,
    /// <summary>A lookup is under way: the sender may still come.</summary>
    Pending,
    /// <summary>The lookup ended: the process, or null when the flow has none.</summary>
    Known,
}
