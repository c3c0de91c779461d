using System.Net.NetworkInformation;
using McpEgress.Decode;

namespace McpEgress.Attribution;

/// <summary>
/// This host's addresses, as the kernel would accept a socket on them: every interface's unicast address, all
/// of 127.0.0.0/8 and ::1. Read again at most every <c>refresh</c> (an address added later is seen then). One thread
/// per instance (the attribution thread and the SYN tap each have their own).
/// </summary>
public sealed class LocalAddresses(TimeSpan refresh, Func<long>? nowMs = null)
{
    /// <summary>How often the addresses are read again unless told otherwise: 5 s.</summary>
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(5);

    private HashSet<IpAddress16> _set = [];
    private long _readMs = long.MinValue / 2;

    public bool Contains(IpAddress16 address)
    {
        var ip = address.ToIPAddress();
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (System.Net.IPAddress.IsLoopback(ip)) return true;
        long now = nowMs?.Invoke() ?? Environment.TickCount64;
        if (now - _readMs >= (long)refresh.TotalMilliseconds)
        {
            _readMs = now;
            _set = Read();
        }
        return _set.Contains(IpAddress16.FromIPAddress(ip));
    }

    private static HashSet<IpAddress16> Read()
    {
        var set = new HashSet<IpAddress16>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                    set.Add(IpAddress16.FromIPAddress(a.Address));
        }
        catch (NetworkInformationException) { }
        return set;
    }
}
