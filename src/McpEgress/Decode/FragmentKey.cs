namespace McpEgress.Decode;

/// <summary>
/// Identity of a datagram being reassembled: RFC 791 section 3.2 (source, destination, protocol, identification)
/// for IPv4; RFC 8200 section 4.5 (source, destination, identification) for IPv6, where Protocol is 0.
/// </summary>
internal readonly record struct FragmentKey(IpAddress16 Source, IpAddress16 Destination, uint Identification, byte Protocol, bool IsV6);
