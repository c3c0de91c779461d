namespace McpEgress.Capture.Live;

/// <summary>
/// Tells a capture thread, before a packet is queued, what later stages know of its flow (see
/// <see cref="LiveCaptureOptions.Triage"/>). One instance per capture thread (it may keep per-thread state, e.g. a
/// decoder); it must be fast, allocation-free and must never throw. Capture itself knows nothing of flows.
/// </summary>
public interface IPacketTriage
{
    PacketTriage Classify(in CapturedPacket packet);
}

/// <summary>What a capture thread does with a packet, from <see cref="IPacketTriage"/>.</summary>
public enum PacketTriage : byte
{
    /// <summary>Nothing known (a new flow, not TCP, a flow still undecided): queued while there is room.</summary>
    Unknown = 0,

    /// <summary>A flow that carries or may carry mail: queued while there is room.</summary>
    Keep = 1,

    /// <summary>A bypassed flow: not queued, counted in <see cref="LiveCaptureStats.BypassedPackets"/> (not a drop).</summary>
    Bypass = 2,

    /// <summary>A flow likely not to matter (not bypassable): queued only below the queue's high-water mark.</summary>
    Expendable = 3,
}
