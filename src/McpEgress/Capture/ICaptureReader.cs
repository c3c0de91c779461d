namespace McpEgress.Capture;

/// <summary>
/// A source of captured frames: a pcap/pcapng file or a live interface.
/// </summary>
public interface ICaptureReader : IDisposable
{
    /// <summary>
    /// Reads the next frame. Returns false at the end of the input or at a cut (see <see cref="Truncated"/>).
    /// The packet's data is valid only until the next call.
    /// </summary>
    bool TryReadPacket(out CapturedPacket packet);

    /// <summary>True when the input ended inside a record; everything before the cut was returned.</summary>
    bool Truncated { get; }

    /// <summary>Why the input was cut or a record was rejected, for the one-line error.</summary>
    string? TruncationReason { get; }

    /// <summary>Bytes consumed so far (for progress reporting).</summary>
    long Position { get; }

    /// <summary>Total size when known (files), otherwise -1.</summary>
    long Length { get; }
}
