namespace McpEgress.Capture.Live;

/// <summary>What became of a packet offered to the capture queue (<see cref="PacketQueue.Offer"/>).</summary>
internal enum QueueOffer : byte
{
    Queued,
    /// <summary>Its flow is bypassed: not queued on purpose, not a drop.</summary>
    Bypassed,
    /// <summary>The queue is above its high-water mark and the flow is expendable.</summary>
    DroppedAboveHighWater,
    /// <summary>No record or arena room left.</summary>
    DroppedFull,
}
