using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Http;

/// <summary>Malformed input is data: random and mutated streams must never throw, whatever the cut.</summary>
public class HttpRobustnessTests
{
    [Fact]
    public void RandomAndMutatedStreamsNeverThrow()
    {
        var rng = new Random(12345);
        var h1 = Bytes.Ascii("POST /a HTTP/1.1\r\nHost: h\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        var h1s = Bytes.Ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 204 x\r\n\r\n");
        var enc = new TestHpackEncoder { Huffman = true };
        var h2 = Bytes.Concat(H2.Preface, H2.Settings((1, 100)), H2.Headers(1, enc.Encode((":method", "POST"), (":path", "/x"), ("a", "b")), false),
            H2.Frame(0, 0x9, 1, [3, 1, 2, 3, 0, 0, 0]), H2.RstStream(1), H2.GoAway(1));
        var seeds = new[] { h1, h1s, h2, Bytes.Concat(h2, h2) };
        for (int iter = 0; iter < 3000; iter++)
        {
            byte[] client, server;
            if (iter % 3 == 0)
            {
                client = new byte[rng.Next(0, 300)];
                rng.NextBytes(client);
                server = new byte[rng.Next(0, 300)];
                rng.NextBytes(server);
                if (iter % 2 == 0)
                    client = Bytes.Concat(H2.Preface, client);
            }
            else
            {
                client = (byte[])seeds[rng.Next(seeds.Length)].Clone();
                server = (byte[])seeds[rng.Next(seeds.Length)].Clone();
                for (int m = rng.Next(1, 6); m > 0; m--)
                {
                    var target = rng.Next(2) == 0 ? client : server;
                    if (target.Length > 0)
                        target[rng.Next(target.Length)] = (byte)rng.Next(256);
                }
            }
            var options = new HttpOptions { MaxHeaderBytes = 256, MaxBodyBytes = 64, MaxFrameBytes = 128, MaxConcurrentStreams = 2, MaxPendingRequests = 2 };
            var c = new HttpConnection(options, new RecordingHandler(), new AnomalyCounters());
            int ci = 0, si = 0;
            while (ci < client.Length || si < server.Length)
            {
                int n = rng.Next(1, 40);
                if (ci < client.Length && (si >= server.Length || rng.Next(2) == 0))
                {
                    n = Math.Min(n, client.Length - ci);
                    c.OnClientData(client.AsSpan(ci, n), ci);
                    ci += n;
                }
                else
                {
                    n = Math.Min(n, server.Length - si);
                    c.OnServerData(server.AsSpan(si, n), si);
                    si += n;
                }
                if (rng.Next(50) == 0)
                    c.OnGap(rng.Next(2) == 0 ? FlowDirection.ClientToServer : FlowDirection.ServerToClient, rng.Next(1, 100), 0);
            }
            c.OnClose(0);
        }
    }
}

