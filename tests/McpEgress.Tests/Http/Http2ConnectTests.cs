using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Http;

/// <summary>HTTP/2 CONNECT (RFC 9113 §8.5): a stream whose DATA is a tunnel once the proxy answered 2xx.</summary>
public sealed class Http2ConnectTests
{
    private sealed class TunnelRecorder : IHttpExchangeHandler
    {
        public readonly List<HttpRequestRecord> Requests = [];
        public readonly List<string> Events = [];
        public readonly Dictionary<(int, FlowDirection), StringBuilder> Data = [];
        public void OnRequest(HttpRequestRecord request) => Requests.Add(request);
        public void OnTunnelOpen(int streamId, string authority) => Events.Add($"open {streamId} {authority}");
        public void OnTunnelData(int streamId, FlowDirection direction, ReadOnlySpan<byte> data)
        {
            if (!Data.TryGetValue((streamId, direction), out var sb)) Data[(streamId, direction)] = sb = new();
            sb.Append(Encoding.ASCII.GetString(data));
        }
        public void OnTunnelClose(int streamId) => Events.Add($"close {streamId}");
        public void OnTunnelRefused(int streamId, string authority, int status) => Events.Add($"refused {streamId} {authority} {status}");
        public string Text(int stream, FlowDirection d) => Data.TryGetValue((stream, d), out var sb) ? sb.ToString() : "";
    }

    private readonly TestHpackEncoder _req = new();
    private readonly TestHpackEncoder _resp = new();

    private byte[] Connect(int stream, string authority) => H2.Headers(stream, _req.Encode((":method", "CONNECT"), (":authority", authority)), false);
    private byte[] Status(int stream, int status) => H2.Headers(stream, _resp.Encode((":status", status.ToString())), false);

    private static (TunnelRecorder, AnomalyCounters) Run(byte[] client, byte[] server, int split = -1)
    {
        var h = new TunnelRecorder();
        var a = new AnomalyCounters();
        var s = new Http2Session(HttpOptions.Default, h, a);
        if (split < 0) { s.OnClientData(client, 1); s.OnServerData(server, 2); }
        else
        {
            // Client up to the split, then the server, then the rest of the client: early data before the reply.
            s.OnClientData(client.AsSpan(0, split), 1); s.OnServerData(server, 2); s.OnClientData(client.AsSpan(split), 3);
        }
        s.OnClose(4);
        return (h, a);
    }

    [Fact]
    public void TwoConcurrentTunnels_OneRefused_AndARequestBeside()
    {
        var client = Bytes.Concat(H2.Preface, H2.Settings(),
            Connect(1, "api.postmarkapp.com:443"),
            H2.Data(1, "hello-early|", false),
            Connect(3, "smtp.relay.example:25"),
            H2.Headers(5, _req.Encode((":method", "GET"), (":scheme", "https"), (":path", "/"), (":authority", "x.example")), true),
            H2.Data(1, "after-reply", true));
        var server = Bytes.Concat(H2.Settings(), Status(1, 200), H2.Data(1, "srv-bytes", true), Status(3, 403),
            H2.Headers(5, _resp.Encode((":status", "204")), true));
        foreach (int split in new[] { -1, client.Length - H2.Data(1, "after-reply", true).Length })
        {
            var (h, a) = Run(client, server, split);
            Assert.Equal("open 1 api.postmarkapp.com:443", h.Events[0]); // open before any data; close and refusal follow
            Assert.Equal(["close 1", "refused 3 smtp.relay.example:25 403"], h.Events.Skip(1).Order());
            Assert.Equal("hello-early|after-reply", h.Text(1, FlowDirection.ClientToServer));
            Assert.Equal("srv-bytes", h.Text(1, FlowDirection.ServerToClient));
            Assert.Equal(5, Assert.Single(h.Requests).StreamId); // a CONNECT is a tunnel, never a request record
            Assert.Equal(0, a.Total);
        }
    }

    [Fact]
    public void ConnectWithPathOrScheme_IsNotATunnel()
    {
        var client = Bytes.Concat(H2.Preface, H2.Settings(),
            H2.Headers(1, _req.Encode((":method", "CONNECT"), (":scheme", "https"), (":path", "/"), (":authority", "a:1")), false));
        var (h, a) = Run(client, Bytes.Concat(H2.Settings(), Status(1, 200)));
        Assert.Empty(h.Events);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.BadConnectRequest));
    }

    [Fact]
    public void ResetAndUnansweredTunnels_End()
    {
        var client = Bytes.Concat(H2.Preface, H2.Settings(), Connect(1, "a.example:443"), Connect(3, "b.example:443"), H2.RstStream(1));
        var (h, _) = Run(client, H2.Settings());
        Assert.Equal(["refused 1 a.example:443 0", "refused 3 b.example:443 0"], h.Events);
    }
}
