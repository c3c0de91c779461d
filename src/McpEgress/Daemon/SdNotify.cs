using System.Net.Sockets;
using System.Text;

namespace McpEgress.Daemon;

/// <summary>
/// systemd's notification protocol (sd_notify(3)): datagrams like <c>READY=1</c> to the AF_UNIX socket named by
/// <c>$NOTIFY_SOCKET</c> (a path, or an abstract name written with a leading '@'), and the watchdog interval from
/// <c>$WATCHDOG_USEC</c> (for this process when <c>$WATCHDOG_PID</c> is unset or ours). Without the variables
/// (not under systemd, or <c>Type=exec</c>) every call does nothing. Never throws: a lost notification is logged by
/// the caller's unit as a timeout, not a crash here.
/// </summary>
public sealed class SdNotify : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endPoint;

    private SdNotify(string? socketName, TimeSpan? watchdog)
    {
        WatchdogInterval = watchdog;
        if (string.IsNullOrEmpty(socketName) || (socketName[0] != '/' && socketName[0] != '@')) return;
        try
        {
            _endPoint = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }
        catch (Exception e) when (e is SocketException or ArgumentException or PlatformNotSupportedException)
        {
            _socket = null;
        }
    }

    /// <summary>From the environment systemd sets for the service.</summary>
    public static SdNotify FromEnvironment()
    {
        TimeSpan? watchdog = null;
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out long usec) && usec > 0
            && (string.IsNullOrEmpty(pid) || pid == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            watchdog = TimeSpan.FromMicroseconds(usec);
        return new SdNotify(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), watchdog);
    }

    /// <summary>For tests: an explicit socket and watchdog interval.</summary>
    internal static SdNotify For(string socketName, TimeSpan? watchdog = null) => new(socketName, watchdog);

    /// <summary>True when a notification socket is configured.</summary>
    public bool Enabled => _socket is not null;

    /// <summary>The interval systemd expects WATCHDOG=1 within (<c>WatchdogSec=</c>), or null when not enabled.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Sends one state string, e.g. "READY=1\nSTATUS=capturing". Returns false when it could not be sent.</summary>
    public bool Send(string state)
    {
        if (_socket is null || _endPoint is null) return false;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endPoint);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
