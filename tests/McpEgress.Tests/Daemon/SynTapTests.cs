using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using McpEgress.Attribution;
using McpEgress.Capture.Live;
using McpEgress.Daemon;
using McpEgress.Decode;
using McpEgress.Reassembly;
using Xunit.Abstractions;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// The SYN tap on real libpcap (lo; needs root or CAP_NET_RAW): a child process that connects, sends a few bytes and
/// exits within milliseconds is attributed although its socket is gone by the time anyone looks later. Waits are
/// bounded hang guards, not timing assertions.
/// </summary>
[Collection("live capture")]
public class SynTapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    // An SMTP-like one-shot client: banner, one command, one reply, close, exit. The 20 ms pause stands for the rest of
    // a dialogue (swaks on loopback lives ~5 ms; measured tap lag 0.5-6 ms) with headroom for a loaded CI machine
    // running the other tests in parallel. Only the tap fills the cache, so a hit proves it resolved the process live.
    private const string OneShotClientPy = """
        import socket, sys, time
        s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        s.recv(100)
        s.sendall(b'EHLO one-shot\r\n')
        s.recv(100)
        time.sleep(0.02)
        s.close()
        """;

    private static FlowKey Key(IPEndPoint client, int port) => new(
        new Endpoint(IpAddress16.FromIPAddress(client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address),
            (ushort)client.Port),
        new Endpoint(IpAddress16.FromIPAddress(IPAddress.Loopback), (ushort)port));

    private static ProcessInfo WaitInCache(FlowProcessCache cache, FlowKey key, SynTap tap)
    {
        var until = DateTime.UtcNow + Guard;
        ProcessInfo? info;
        while ((info = cache.Get(key)) is null && DateTime.UtcNow < until) Thread.Sleep(20);
        Assert.True(info is not null, $"{key} not in the tap's cache: {tap.Syns} SYNs, {tap.Resolved} resolved, {tap.Unresolved} unresolved");
        return info;
    }

    [Fact]
    public void OneShotClient_IsAttributedAtItsSyn()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var cache = new FlowProcessCache(TimeSpan.FromMinutes(2), 1024);
        using var tap = SynTap.Start(["lo"], $"tcp port {port}", new SynTapOptions(), new ProcessResolver(), cache);

        // A first, long-lived connection from this test process: attributed to it (and the tap's path is warm).
        using (var own = new TcpClient())
        {
            own.Connect(IPAddress.Loopback, port);
            using var ownAccepted = listener.AcceptSocket();
            var ownInfo = WaitInCache(cache, Key((IPEndPoint)own.Client.LocalEndPoint!, port), tap);
            Assert.Equal(Environment.ProcessId, ownInfo.Pid);
        }

        var psi = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(OneShotClientPy);
        psi.ArgumentList.Add(port.ToString());
        using var child = Process.Start(psi)!;
        int childPid = child.Id;
        IPEndPoint clientEnd;
        using (var accepted = listener.AcceptSocket())
        {
            clientEnd = (IPEndPoint)accepted.RemoteEndPoint!;
            accepted.Send("220 sink ESMTP\r\n"u8);
            var buf = new byte[100];
            accepted.Receive(buf);
            accepted.Send("250 ok\r\n"u8);
            Assert.True(child.WaitForExit(Guard), "python3 client did not exit");
            Assert.True(child.ExitCode == 0, child.StandardError.ReadToEnd());
        }
        var key = Key(clientEnd, port);

        // What the pipeline's own lookup would find now: both ends closed, no process (at most a TIME_WAIT socket).
        Assert.Null(new ProcessResolver().Resolve(key.Client, key.Server)?.Pid);

        var info = WaitInCache(cache, key, tap);
        Assert.True(childPid == info.Pid, $"got {info}; tap: {tap.Syns} SYNs, lag {tap.MaxLagMicroseconds} us, last {tap.LastLagMicroseconds} us");
        Assert.StartsWith("python3", Path.GetFileName(info.Executable));
        Assert.Contains("create_connection", info.CommandLine);
        Assert.Equal(2, tap.Syns); // one client SYN per connection; SYN-ACKs and the rest of the flows are filtered out
        Assert.Equal(2, tap.Resolved);

        // The annotator takes the tap's answer (its own resolver would find nothing now).
        using var service = new AttributionService(new ProcessResolver(), early: cache.Get);
        var annotator = new ProcessFlowAnnotator(service, cache);
        var process = annotator.Annotate(new TcpFlow(1, key, 0, pickedUpMidStream: false));
        Assert.NotNull(process);
        Assert.Equal(childPid, process.Pid);
        Assert.Equal(1, annotator.EarlyHits);
        output.WriteLine($"tap: {tap.Syns} SYNs, {tap.Resolved} resolved, longest SYN-to-answer {tap.MaxLagMicroseconds} us, last (the one-shot client) {tap.LastLagMicroseconds} us; exe {info.Executable}");
        tap.Dispose();
        Assert.Equal(0, tap.Drops);
        Assert.Equal(0, tap.Errors);
    }

    [Fact]
    public void Filter_IsClientSynsAndTheUsersFilter()
    {
        Assert.Equal(SynTap.SynFilter, SynTap.CombineFilter(null));
        Assert.Equal(SynTap.SynFilter, SynTap.CombineFilter("  "));
        Assert.Equal(SynTap.SynFilter + " and (tcp port 25 or tcp port 587)", SynTap.CombineFilter("tcp port 25 or tcp port 587"));
    }

    [Fact]
    public void BadFilter_ThrowsAndLeavesNothingOpen()
    {
        var cache = new FlowProcessCache(TimeSpan.FromMinutes(2), 16);
        Assert.Throws<LiveCaptureException>(() => SynTap.Start(["lo"], "tcp port", new SynTapOptions(), new ProcessResolver(), cache));
    }
}
