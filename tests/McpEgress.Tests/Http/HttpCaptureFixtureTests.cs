using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;

namespace McpEgress.Tests.Http;

/// <summary>
/// Byte streams recorded from real Node clients and servers (Data/make-fixtures.js: a TCP proxy writes each relayed chunk
/// as direction byte + u32 length + bytes). The requests we parse must match what the script sent.
/// </summary>
public class HttpCaptureFixtureTests
{
    private static List<(bool FromClient, byte[] Data)> ReadChunks(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Bytes.DataDir(), name));
        var chunks = new List<(bool, byte[])>();
        for (int i = 0; i < bytes.Length;)
        {
            bool fromClient = bytes[i] == 0;
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(i + 1));
            chunks.Add((fromClient, bytes.AsSpan(i + 5, len).ToArray()));
            i += 5 + len;
        }
        return chunks;
    }

    private static (List<HttpRequestRecord> Requests, AnomalyCounters Anomalies, string? Version) Replay(string name, int cut = 0)
    {
        var h = new RecordingHandler();
        var a = new AnomalyCounters();
        var c = new HttpConnection(HttpOptions.Default, h, a);
        long ts = 0;
        foreach (var (fromClient, data) in ReadChunks(name))
        {
            // Optionally re-cut every chunk into pieces of `cut` bytes (segment boundaries differ from the recording's).
            int step = cut > 0 ? cut : data.Length;
            for (int i = 0; i < data.Length; i += step)
            {
                var piece = data.AsSpan(i, Math.Min(step, data.Length - i));
                if (fromClient)
                    c.OnClientData(piece, ++ts);
                else
                    c.OnServerData(piece, ++ts);
            }
        }
        c.OnClose(++ts);
        return (h.Requests, a, c.Version);
    }

    private static void AssertMatchesScript(string name, List<HttpRequestRecord> requests, string version)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Bytes.DataDir(), name)));
        Assert.Equal(1, doc.RootElement.GetProperty("connections").GetInt32());
        var expected = doc.RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(expected.Count, requests.Count);
        // HTTP/2 streams finish in any order: compare as sets keyed by body hash.
        var actual = requests.Select(r => (r.Method, r.Target, r.Authority, r.ResponseStatus, Hash: Convert.ToHexStringLower(SHA256.HashData(r.Body.Span)), r.Body.Length))
            .OrderBy(x => x.Hash).ToList();
        var want = expected.Select(e => (e.GetProperty("method").GetString()!, e.GetProperty("path").GetString()!, e.GetProperty("authority").GetString(),
                e.GetProperty("status").GetInt32(), Hash: e.GetProperty("sha256").GetString()!, e.GetProperty("length").GetInt32()))
            .OrderBy(x => x.Hash).ToList();
        Assert.Equal(want, actual);
        Assert.All(requests, r =>
        {
            Assert.Equal(version, r.Version);
            Assert.False(r.Incomplete);
            Assert.False(r.BodyTruncated);
            Assert.Null(r.BodyDecodeError);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void NodeH2cConcurrentPosts(int cut)
    {
        var (requests, anomalies, version) = Replay("h2c-posts.bin", cut);
        Assert.Equal("HTTP/2", version);
        AssertMatchesScript("h2c-posts.json", requests, "HTTP/2");
        Assert.All(requests, r =>
        {
            Assert.Equal("[REDACTED]", r.GetHeader("x-postmark-server-token"));
            Assert.Equal("application/json", r.ContentType);
            Assert.True(r.StreamId > 0);
        });
        Assert.Contains(requests, r => Bytes.Utf8(r.Body).Contains("\"Bcc\":\"phan@giftshop.club\""));
        Assert.Equal(0, anomalies.Total);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    public void NodeHttp11KeepAliveGzip(int cut)
    {
        var (requests, anomalies, version) = Replay("h1-gzip-keepalive.bin", cut);
        Assert.Equal("HTTP/1", version);
        AssertMatchesScript("h1-gzip-keepalive.json", requests, "HTTP/1.1");
        Assert.All(requests, r =>
        {
            Assert.Equal("gzip", r.ContentEncoding);
            Assert.Equal("Bearer [REDACTED]", r.GetHeader("authorization"));
            Assert.True(r.BodyWireBytes > 0);
        });
        Assert.Contains(requests, r => Bytes.Utf8(r.Body).Contains("phan@giftshop.club"));
        Assert.Equal(0, anomalies.Total);
    }
}
