using McpEgress.Decode;

namespace McpEgress.Attribution;

/// <summary>
/// Parser for the kernel's /proc/net/tcp{,6} rows (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c
/// get_tcp6_sock):
/// <code>
///   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
///    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 ...
/// </code>
/// An IPv4 address is the 32-bit value as stored (network order) printed with %08X, so on a little-endian host
/// 127.0.0.1 reads "0100007F". An IPv6 address is four such 32-bit words, each printed with %08X in host order
/// (the words are in order, the bytes within each word are reversed on little-endian). Ports are printed after
/// ntohs, i.e. as plain numbers. IPv4-mapped IPv6 addresses (dual-stack sockets) are returned as IPv4 so they
/// compare equal to what the capture decodes.
/// </summary>
public static class ProcNetTcp
{
    /// <summary>Parses one data row; false for the header line and anything malformed.</summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, out ProcNetTcpEntry entry) =>
        TryParseLine(line, BitConverter.IsLittleEndian, out entry);

    /// <summary>As above with an explicit host byte order (tests parse big-endian hosts' rows too).</summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, bool littleEndianHost, out ProcNetTcpEntry entry)
    {
        entry = default;
        // Fields: 0 "sl:" 1 local 2 remote 3 st 4 tx:rx 5 tr:when 6 retrnsmt 7 uid 8 timeout 9 inode
        Span<Range> f = stackalloc Range[11];
        int n = SplitFields(line, f);
        if (n < 10) return false;
        var sl = line[f[0]];
        if (sl.Length < 2 || sl[^1] != (byte)':') return false;
        if (!TryParseEndpoint(line[f[1]], littleEndianHost, out var local)) return false;
        if (!TryParseEndpoint(line[f[2]], littleEndianHost, out var remote)) return false;
        if (!TryParseHex(line[f[3]], out ulong st) || st > 0xFF) return false;
        if (!TryParseDecimal(line[f[7]], out ulong uid) || uid > uint.MaxValue) return false;
        if (!TryParseDecimal(line[f[9]], out ulong inode)) return false;
        entry = new ProcNetTcpEntry(local, remote, (byte)st, (uint)uid, inode);
        return true;
    }

    /// <summary>"0100007F:1F90" or the 32+4 hex digit IPv6 form.</summary>
    public static bool TryParseEndpoint(ReadOnlySpan<byte> text, bool littleEndianHost, out Endpoint endpoint)
    {
        endpoint = default;
        int colon = text.IndexOf((byte)':');
        if (colon != 8 && colon != 32) return false;
        var portHex = text[(colon + 1)..];
        if (portHex.Length != 4 || !TryParseHex(portHex, out ulong port)) return false;
        Span<byte> addr = stackalloc byte[16];
        int words = colon / 8;
        for (int w = 0; w < words; w++)
        {
            if (!TryParseHex(text.Slice(w * 8, 8), out ulong word)) return false;
            uint v = (uint)word;
            // The printed value is the in-memory word read as a host integer; recover the memory bytes.
            var dst = addr.Slice(w * 4, 4);
            if (littleEndianHost)
            {
                dst[0] = (byte)v; dst[1] = (byte)(v >> 8); dst[2] = (byte)(v >> 16); dst[3] = (byte)(v >> 24);
            }
            else
            {
                dst[0] = (byte)(v >> 24); dst[1] = (byte)(v >> 16); dst[2] = (byte)(v >> 8); dst[3] = (byte)v;
            }
        }
        IpAddress16 ip;
        if (words == 1) ip = IpAddress16.FromV4(addr[..4]);
        else if (IsV4Mapped(addr)) ip = IpAddress16.FromV4(addr.Slice(12, 4));
        else ip = IpAddress16.FromV6(addr);
        endpoint = new Endpoint(ip, (ushort)port);
        return true;
    }

    /// <summary>An IPv4-mapped IPv6 endpoint (::ffff:a.b.c.d) as IPv4; anything else unchanged.</summary>
    public static Endpoint Normalize(Endpoint e)
    {
        if (e.Address.IsV4) return e;
        var ip = e.Address.ToIPAddress();
        return ip.IsIPv4MappedToIPv6 ? new Endpoint(IpAddress16.FromIPAddress(ip.MapToIPv4()), e.Port) : e;
    }

    private static bool IsV4Mapped(ReadOnlySpan<byte> a) =>
        a[..10].IndexOfAnyExcept((byte)0) < 0 && a[10] == 0xFF && a[11] == 0xFF;

    private static int SplitFields(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        int n = 0, i = 0;
        while (i < line.Length && n < fields.Length)
        {
            while (i < line.Length && (line[i] == (byte)' ' || line[i] == (byte)'\t')) i++;
            if (i >= line.Length || line[i] == (byte)'\n') break;
            int start = i;
            while (i < line.Length && line[i] != (byte)' ' && line[i] != (byte)'\t' && line[i] != (byte)'\n') i++;
            fields[n++] = new Range(start, i);
        }
        return n;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 16) return false;
        foreach (byte c in s)
        {
            int d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            value = (value << 4) | (uint)d;
        }
        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 19) return false;
        foreach (byte c in s)
        {
            if (c < (byte)'0' || c > (byte)'9') return false;
            value = value * 10 + (ulong)(c - '0');
        }
        return true;
    }
}
