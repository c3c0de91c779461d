using System.Net.Sockets;
using System.Text;
using McpEgress.Daemon;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// systemd's notification protocol as the unit's <c>Type=notify</c> and <c>WatchdogSec=</c> expect it: a real
/// <c>mcp-egress watch</c> with <c>NOTIFY_SOCKET</c> pointing at a datagram socket of this test.
/// </summary>
[Collection("live daemon")]
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-notify").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Socket Listen(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.ReceiveTimeout = 20_000;
        return s;
    }

    private static string Next(Socket s)
    {
        var buffer = new byte[4096];
        int n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Reads datagrams until one starts with <paramref name="prefix"/> (watchdog pings may come between).</summary>
    private static string Expect(Socket s, string prefix)
    {
        for (int i = 0; i < 200; i++)
        {
            var m = Next(s);
            if (m.StartsWith(prefix, StringComparison.Ordinal)) return m;
        }
        throw new Xunit.Sdk.XunitException("no " + prefix);
    }

    [Fact]
    public void SendsToAPathAndIsSilentWithoutOne()
    {
        string path = Path.Combine(_dir, "notify.sock");
        using var listener = Listen(path);
        using (var n = SdNotify.For(path, TimeSpan.FromSeconds(10)))
        {
            Assert.True(n.Enabled);
            Assert.True(n.Send("READY=1"));
            Assert.Equal("READY=1", Next(listener));
            Assert.Equal(TimeSpan.FromSeconds(10), n.WatchdogInterval);
        }
        using var none = SdNotify.For("");
        Assert.False(none.Enabled);
        Assert.False(none.Send("READY=1"));
    }

    [Fact]
    public async Task DaemonIsReady_PingsTheWatchdog_ReloadsAndStops()
    {
        string path = Path.Combine(_dir, "notify.sock");
        using var listener = Listen(path);
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "600000" };
        using var daemon = DaemonProcess.Start(DaemonProcess.FreePort(), env, "--interface", "lo", "--filter", $"tcp port {DaemonProcess.FreePort()}");
        Assert.StartsWith("READY=1\nSTATUS=capturing on lo", Expect(listener, "READY=1"), StringComparison.Ordinal);
        await daemon.WaitHealthyAsync();
        Assert.Equal("WATCHDOG=1", Expect(listener, "WATCHDOG=1")); // every 0.3 s: half of WATCHDOG_USEC
        daemon.Signal(DaemonProcess.SigHup);
        Expect(listener, "RELOADING=1");
        Expect(listener, "READY=1");
        daemon.Signal(DaemonProcess.SigTerm);
        Expect(listener, "STOPPING=1");
        Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
