using System.Net;
using System.Net.Sockets;

namespace McpEgress.Tests.Capture.Live;

/// <summary>
/// A real TCP connection over 127.0.0.1 for live-capture tests: a listener on a free port, a client connected to it,
/// and a server side that reads and discards everything so the client never blocks.
/// </summary>
internal sealed class LoopbackConnection : IDisposable
{
    private readonly TcpListener _listener;
    private readonly TcpClient _client;
    private readonly Socket _server;
    private readonly Thread _drain;
    private long _received;

    public LoopbackConnection()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _client = new TcpClient { NoDelay = true }; // one segment per Send
        _client.Connect(IPAddress.Loopback, Port);
        _server = _listener.AcceptSocket();
        _drain = new Thread(() =>
        {
            var buffer = new byte[65536];
            try
            {
                int n;
                while ((n = _server.Receive(buffer)) > 0) Interlocked.Add(ref _received, n);
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }) { IsBackground = true };
        _drain.Start();
    }

    /// <summary>The listener's port (the server side of the flow).</summary>
    public int Port { get; }

    /// <summary>The client side's port.</summary>
    public int ClientPort => ((IPEndPoint)_client.Client.LocalEndPoint!).Port;

    public long Received => Interlocked.Read(ref _received);

    public void Send(ReadOnlySpan<byte> data) => _client.Client.Send(data);

    /// <summary>
    /// Sends <paramref name="data"/> <paramref name="count"/> times, each time waiting until the server has read it, so
    /// TCP autocorking cannot merge the sends: each is one data segment (plus an ACK) on the wire.
    /// </summary>
    public void SendPaced(ReadOnlySpan<byte> data, int count)
    {
        for (int i = 0; i < count; i++)
        {
            long expected = Received + data.Length;
            Send(data);
            if (!SpinWait.SpinUntil(() => Received >= expected, 20_000))
                Assert.Fail($"server stuck at {Received} of {expected} bytes");
        }
    }

    /// <summary>Waits (bounded, as a hang guard) until the server has read <paramref name="bytes"/> in total.</summary>
    public void WaitReceived(long bytes)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (Received < bytes && DateTime.UtcNow < until) Thread.Sleep(5);
        Assert.True(Received >= bytes, $"server received {Received} of {bytes} bytes");
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _listener.Stop();
        _drain.Join(5000);
    }
}
