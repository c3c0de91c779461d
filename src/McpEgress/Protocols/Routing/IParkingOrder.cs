namespace McpEgress.Protocols.Routing;

/// <summary>
/// Lets a sharded pipeline order what parked TLS flows emit across shards (<see cref="TlsParkingLot.Order"/>): each
/// flow is stamped with the pipeline's position when it parks, and the lot names that stamp before a parked flow
/// retries its keys or gives up, so the pipeline can sort those events as one parking lot would have produced them.
/// </summary>
public interface IParkingOrder
{
    /// <summary>The pipeline's position now (when a flow parks).</summary>
    (long Major, long Minor) Stamp();

    /// <summary>A flow parked at <paramref name="parkedAt"/> is about to retry (<paramref name="givingUp"/> false) or give up.</summary>
    void Serving((long Major, long Minor) parkedAt, bool givingUp);
}
