using McpEgress.Decode;

namespace McpEgress.Reassembly;

/// <summary>
/// Table key for a connection regardless of direction: (a, b) equals (b, a), so one lookup finds the flow for
/// segments in either direction.
/// </summary>
internal readonly struct ConnectionKey : IEquatable<ConnectionKey>
{
    public ConnectionKey(Endpoint a, Endpoint b) { A = a; B = b; }

    public Endpoint A { get; }
    public Endpoint B { get; }

    public bool Equals(ConnectionKey other) =>
        (A == other.A && B == other.B) || (A == other.B && B == other.A);

    public override bool Equals(object? obj) => obj is ConnectionKey k && Equals(k);

    // A sum is symmetric, so both orders hash alike.
    public override int GetHashCode() => unchecked(A.GetHashCode() + B.GetHashCode());
}
