namespace McpEgress.Decode;

/// <summary>An IP address and TCP port.</summary>
/// <remarks>
/// Stored flat (the address's two halves, its family flag and the port): 24 bytes, where an <see cref="IpAddress16"/>
/// field beside a port pads to 32. Flow tables hold two of these per connection in a key and two in the flow.
/// </remarks>
public readonly struct Endpoint : IEquatable<Endpoint>
{
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly ushort _port;
    private readonly bool _isV4;

    public Endpoint(IpAddress16 address, ushort port)
    {
        _high = address.High;
        _low = address.Low;
        _isV4 = address.IsV4;
        _port = port;
    }

    public IpAddress16 Address => new(_high, _low, _isV4);
    public ushort Port => _port;

    public void Deconstruct(out IpAddress16 address, out ushort port)
    {
        address = Address;
        port = _port;
    }

    public bool Equals(Endpoint other) =>
        _high == other._high && _low == other._low && _port == other._port && _isV4 == other._isV4;

    public override bool Equals(object? obj) => obj is Endpoint e && Equals(e);
    public override int GetHashCode() => HashCode.Combine(_high, _low, _port);
    public static bool operator ==(Endpoint a, Endpoint b) => a.Equals(b);
    public static bool operator !=(Endpoint a, Endpoint b) => !a.Equals(b);

    public override string ToString() => _isV4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}
