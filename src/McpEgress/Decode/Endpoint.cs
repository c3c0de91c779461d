namespace McpEgress.Decode;

/// <summary>An IP address and TCP port.</summary>
public readonly record struct Endpoint(IpAddress16 Address, ushort Port)
{
    public override string ToString() => Address.IsV4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}
