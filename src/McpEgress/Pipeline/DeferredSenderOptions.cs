namespace McpEgress.Pipeline;

/// <summary>Limits of <see cref="DeferredSenderRules"/>.</summary>
public sealed class DeferredSenderOptions
{
    /// <summary>
    /// Longest a message waits for its sender before the rules that need one judge it without
    /// (<c>watch.sender_wait_seconds</c>). Default 5 s.
    /// </summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages held at once (<c>watch.max_deferred_messages</c>). A message beyond it is judged at once, sender
    /// unknown, and counted (<see cref="DeferredSenderRules.Overflows"/>). Default 4096.
    /// </summary>
    public int MaxHeld { get; init; } = 4096;
}
