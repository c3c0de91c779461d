namespace McpEgress.Export;

/// <summary>
/// Told what became of buffered events once <see cref="EcsEventWriter"/> hands them to its stream (by size, by the
/// flush deadline on a timer thread, or at <see cref="EcsEventWriter.Flush"/>/Dispose). Called under the writer's
/// lock, on whichever thread wrote them out: keep it short and thread-safe, and do not call back into the writer.
/// </summary>
public interface IEcsWriteObserver
{
    /// <summary><paramref name="count"/> events of <paramref name="kind"/> reached the stream.</summary>
    void OnWritten(EcsEventKind kind, long count);

    /// <summary><paramref name="count"/> events were lost to a failed write (<see cref="EcsEventWriter.LastWriteError"/> says why).</summary>
    void OnDropped(long count);
}
