using System.IO.Compression;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Http;

public class Http2SessionTests
{
    private readonly TestHpackEncoder _req = new();
    private readonly TestHpackEncoder _resp = new() { Huffman = true };

    private byte[] Request(int stream, string method, string path, bool endStream, params (string, string)[] extra) =>
        H2.Headers(stream, _req.Encode(
            [(":method", method), (":scheme", "https"), (":path", path), (":authority", "api.example.com"), .. extra]), endStream);

    private byte[] Response(int stream, int status, bool endStream = false) =>
        H2.Headers(stream, _resp.Encode((":status", status.ToString()), ("content-type", "application/json")), endStream);

    private static (RecordingHandler, AnomalyCounters, Http2Session) New(HttpOptions? o = null)
    {
        var h = new RecordingHandler();
        var a = new AnomalyCounters();
        return (h, a, new Http2Session(o ?? HttpOptions.Default, h, a));
    }

    private static List<HttpRequestRecord> Run(byte[] client, byte[] server, HttpOptions? o = null, AnomalyCounters? a = null)
    {
        var h = new RecordingHandler();
        var s = new Http2Session(o ?? HttpOptions.Default, h, a ?? new AnomalyCounters());
        s.OnClientData(client, 1);
        s.OnServerData(server, 2);
        s.OnClose(3);
        return h.Requests;
    }

    [Fact]
    public void ConcurrentInterleavedStreams()
    {
        var client = Bytes.Concat(
            H2.Preface, H2.Settings((0x3, 100)), H2.SettingsAck,
            Request(1, "POST", "/email", false, ("content-type", "application/json"), ("x-postmark-server-token", "tok-1")),
            Request(3, "POST", "/email/batch", false),
            H2.Data(1, "{\"To\":", false),
            Request(5, "GET", "/ping", true),
            H2.Data(3, "[1,", false),
            H2.WindowUpdate(0, 1000),
            H2.Data(1, "\"a@b\"}", true),
            H2.Ping,
            H2.Data(3, "2]", true));
        var server = Bytes.Concat(
            H2.Settings(), H2.SettingsAck,
            Response(5, 204, true),
            Response(3, 200), H2.Data(3, "{}", true),
            Response(1, 422), H2.Data(1, "{}", true));
        var rs = Run(client, server);
        Assert.Equal([5, 3, 1], rs.Select(r => r.StreamId));
        var s1 = rs.Single(r => r.StreamId == 1);
        Assert.Equal("HTTP/2", s1.Version);
        Assert.Equal("POST", s1.Method);
        Assert.Equal("/email", s1.Target);
        Assert.Equal("api.example.com", s1.Authority);
        Assert.Equal("https", s1.Scheme);
        Assert.Equal("application/json", s1.ContentType);
        Assert.Equal("{\"To\":\"a@b\"}", Bytes.Utf8(s1.Body));
        Assert.Equal(422, s1.ResponseStatus);
        Assert.Equal("[REDACTED]", s1.GetHeader("x-postmark-server-token"));
        Assert.DoesNotContain(s1.Headers, h => h.Key.StartsWith(':'));
        Assert.Equal("[1,2]", Bytes.Utf8(rs.Single(r => r.StreamId == 3).Body));
        Assert.Equal(204, rs.Single(r => r.StreamId == 5).ResponseStatus);
    }

    [Fact]
    public void ContinuationFramesJoinTheHeaderBlock()
    {
        var block = _req.Encode((":method", "POST"), (":path", "/v3/mail/send"), (":authority", "api.sendgrid.com"),
            ("authorization", "Bearer SG.secret"), ("x-custom", new string('c', 100)));
        var client = Bytes.Concat(H2.Preface,
            H2.Headers(1, block[..10], endStream: false, endHeaders: false),
            H2.Continuation(1, block[10..50], endHeaders: false),
            H2.Continuation(1, block[50..], endHeaders: true),
            H2.Data(1, "{}", true));
        var r = Assert.Single(Run(client, Response(1, 202)));
        Assert.Equal("/v3/mail/send", r.Target);
        Assert.Equal("Bearer [REDACTED]", r.GetHeader("authorization"));
        Assert.Equal(new string('c', 100), r.GetHeader("x-custom"));
        Assert.Equal(202, r.ResponseStatus);
    }

    [Fact]
    public void InterruptedHeaderBlockIsFatalForTheDirection()
    {
        var a = new AnomalyCounters();
        var block = _req.Encode((":method", "GET"), (":path", "/"));
        var client = Bytes.Concat(H2.Preface, H2.Headers(1, block[..2], false, endHeaders: false), H2.Data(1, "x", true),
            Request(3, "GET", "/after", true));
        Assert.Empty(Run(client, [], a: a));
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.ContinuationExpected));
    }

    [Fact]
    public void PaddedHeadersWithPriorityAndPaddedData()
    {
        var block = _req.Encode((":method", "POST"), (":path", "/p"), (":authority", "h"));
        // HEADERS: PADDED|PRIORITY|END_HEADERS; pad length 3 | dependency (4) + weight (1) | block | 3 pad bytes
        var headers = H2.Frame(0x1, 0x8 | 0x20 | 0x4, 1, [3, 0, 0, 0, 0, 15, .. block, 0, 0, 0]);
        // DATA: PADDED|END_STREAM; pad length 4 | "body" | 4 pad bytes
        var data = H2.Frame(0x0, 0x8 | 0x1, 1, [4, .. "body"u8, 0, 0, 0, 0]);
        var client = Bytes.Concat(H2.Preface, headers, H2.Frame(0x2, 0, 1, [0, 0, 0, 0, 7]), data);
        var r = Assert.Single(Run(client, Response(1, 200)));
        Assert.Equal("/p", r.Target);
        Assert.Equal("body", Bytes.Utf8(r.Body));
    }

    [Fact]
    public void SettingsHeaderTableSizeChange()
    {
        var (h, a, s) = New();
        s.OnClientData(H2.Preface, 1);
        // Server advertises a 8192-byte decoder table; the client's encoder then grows its table with a size update.
        s.OnServerData(H2.Settings((0x1, 8192)), 2);
        Assert.Equal(8192, s.ClientDecoder.AllowedTableSize);
        s.OnClientData(H2.Headers(1, _req.Encode(_req.SizeUpdate(8192), (":method", "GET"), (":path", "/" + new string('a', 5000))), true), 3);
        s.OnClientData(H2.Headers(3, _req.Encode((":method", "GET"), (":path", "/" + new string('a', 5000))), true), 4);
        Assert.Equal(0, a.Get(AnomalyStage.Http, HttpAnomalies.HpackTableSizeUpdateAboveSetting));
        Assert.Equal(8192, s.ClientDecoder.Table.MaxSize);
        s.OnServerData(Bytes.Concat(Response(1, 200), Response(3, 200)), 5);
        Assert.Equal(2, h.Requests.Count);
        Assert.Equal(h.Requests[0].Target, h.Requests[1].Target); // second one came from the dynamic table entry

        // Larger than our cap: capped and reported.
        s.OnServerData(H2.Settings((0x1, 1u << 20)), 6);
        Assert.Equal(HttpOptions.Default.MaxHpackTableSize, s.ClientDecoder.AllowedTableSize);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.HpackTableSizeCapped));
    }

    [Fact]
    public void SizeUpdateAboveCapIsHpackErrorAndStopsTheDirection()
    {
        var (h, a, s) = New();
        s.OnClientData(H2.Preface, 1);
        s.OnClientData(H2.Headers(1, _req.Encode(_req.SizeUpdate(1 << 20), (":method", "GET"), (":path", "/")), true), 2);
        s.OnClientData(Request(3, "GET", "/b", true), 3);
        s.OnClose(4);
        Assert.Empty(h.Requests);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.HpackDecodingError));
    }

    [Fact]
    public void RstStreamEmitsIncompleteRequest()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), H2.Data(1, "part", false)), 1);
        s.OnServerData(H2.RstStream(1), 2);
        var r = Assert.Single(h.Requests);
        Assert.True(r.Incomplete);
        Assert.Equal("part", Bytes.Utf8(r.Body));
        Assert.Equal(0, r.ResponseStatus);
        // Late frames for the reset stream are ignored.
        s.OnClientData(H2.Data(1, "more", true), 3);
        s.OnClose(4);
        Assert.Single(h.Requests);
    }

    [Fact]
    public void GoAwayAndCloseEmitWaitingStreams()
    {
        var client = Bytes.Concat(H2.Preface, Request(1, "GET", "/a", true), Request(3, "GET", "/b", true));
        var server = Bytes.Concat(Response(1, 200, true), H2.GoAway(1));
        var rs = Run(client, server);
        Assert.Equal([200, 0], rs.Select(r => r.ResponseStatus));
    }

    [Fact]
    public void InterimResponseThenFinal()
    {
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false, ("expect", "100-continue")), H2.Data(1, "x", true));
        var server = Bytes.Concat(Response(1, 100), Response(1, 201));
        Assert.Equal(201, Assert.Single(Run(client, server)).ResponseStatus);
    }

    [Fact]
    public void TrailersEndTheRequest()
    {
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), H2.Data(1, "x", false),
            H2.Headers(1, _req.Encode(("grpc-status", "0")), endStream: true));
        var r = Assert.Single(Run(client, Response(1, 200)));
        Assert.Equal("x", Bytes.Utf8(r.Body));
        Assert.False(r.Incomplete);
    }

    [Fact]
    public void PushPromiseBlockKeepsServerHpackInSync()
    {
        // The PUSH_PROMISE block inserts into the server's dynamic table; the next response refers to it.
        var push = _resp.Encode((":method", "GET"), (":path", "/pushed"), ("x-pushed", "yes"));
        var pushFrame = H2.Frame(0x5, 0x4, 1, [0, 0, 0, 2, .. push]);
        var client = Bytes.Concat(H2.Preface, Request(1, "GET", "/a", true), Request(3, "GET", "/b", true));
        var server = Bytes.Concat(pushFrame, Response(1, 200), H2.Headers(2, _resp.Encode((":status", "200"), ("x-pushed", "yes")), true), Response(3, 503));
        var rs = Run(client, server);
        Assert.Equal([200, 503], rs.Select(r => r.ResponseStatus));
    }

    [Fact]
    public void TooManyStreamsAreCountedButDecoded()
    {
        var o = new HttpOptions { MaxConcurrentStreams = 2 };
        var a = new AnomalyCounters();
        var h = new RecordingHandler();
        var s = new Http2Session(o, h, a);
        s.OnClientData(Bytes.Concat(H2.Preface, Request(1, "GET", "/1", true), Request(3, "GET", "/3", true), Request(5, "GET", "/1", true)), 1);
        s.OnServerData(Bytes.Concat(Response(1, 200), Response(3, 200)), 2);
        s.OnClientData(Request(7, "GET", "/1", true), 3);
        s.OnServerData(Response(7, 200), 4);
        var rs = h.Requests;
        Assert.Equal([1, 3, 7], rs.Select(r => r.StreamId));
        Assert.Equal("/1", rs[2].Target); // stream 7 is decoded from table entries inserted while stream 5 was dropped
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.TooManyStreams));
    }

    [Fact]
    public void FrameTooLargeIsReported()
    {
        var o = new HttpOptions { MaxFrameBytes = 64 * 1024 };
        var a = new AnomalyCounters();
        // 20000-byte DATA frame: above the default SETTINGS_MAX_FRAME_SIZE (16384) but streamed anyway.
        var big = new string('z', 20000);
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), H2.Data(1, big, true));
        var r = Assert.Single(Run(client, Response(1, 200), o, a));
        Assert.Equal(20000, r.Body.Length);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.FrameTooLarge));

        // A 100 KB HEADERS frame is above our buffering cap: skipped, and HPACK state for that direction is lost.
        var a2 = new AnomalyCounters();
        var client2 = Bytes.Concat(H2.Preface, H2.Headers(1, new byte[100 * 1024], true), Request(3, "GET", "/b", true));
        Assert.Empty(Run(client2, [], o, a2));
        Assert.Equal(1, a2.Get(AnomalyStage.Http, HttpAnomalies.HpackStateLost));
    }

    [Fact]
    public void SettingsMaxFrameSizeRaisesTheLimit()
    {
        var a = new AnomalyCounters();
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), H2.Data(1, new string('z', 20000), true));
        var server = Bytes.Concat(H2.Settings((0x5, 32768)), Response(1, 200));
        var h = new RecordingHandler();
        var s = new Http2Session(HttpOptions.Default, h, a);
        s.OnServerData(server[..15], 1); // the SETTINGS frame first
        s.OnClientData(client, 2);
        s.OnServerData(server[15..], 3);
        Assert.Single(h.Requests);
        Assert.Equal(0, a.Get(AnomalyStage.Http, HttpAnomalies.FrameTooLarge));
    }

    [Fact]
    public void ConnectionBodyBudgetIsSharedByOpenStreams()
    {
        var o = new HttpOptions { MaxConnectionBodyBytes = 10 };
        var a = new AnomalyCounters();
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), Request(3, "POST", "/b", false),
            H2.Data(1, "12345678", true), H2.Data(3, "abcdefgh", true));
        var (h, _, _) = (new RecordingHandler(), 0, 0);
        var s = new Http2Session(o, h, a);
        s.OnClientData(client, 1);
        s.OnServerData(Bytes.Concat(Response(1, 200), Response(3, 200)), 2);
        Assert.Equal("12345678", Bytes.Utf8(h.Requests[0].Body));
        Assert.Equal("ab", Bytes.Utf8(h.Requests[1].Body));
        Assert.True(h.Requests[1].BodyTruncated);
        Assert.Equal(8, h.Requests[1].BodyWireBytes);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.ConnectionBodyLimit));
        // Emitted streams give their budget back.
        s.OnClientData(Bytes.Concat(Request(5, "POST", "/c", false), H2.Data(5, "0123456789", true)), 3);
        s.OnServerData(Response(5, 200), 4);
        Assert.Equal("0123456789", Bytes.Utf8(h.Requests[2].Body));
    }

    [Fact]
    public void BadPrefaceStopsClientDirection()
    {
        var a = new AnomalyCounters();
        Assert.Empty(Run(Bytes.Ascii("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), [], a: a));
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.BadPreface));
    }

    [Fact]
    public void GapInClientDirectionEmitsAndStops()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false), H2.Data(1, "abc", false)), 1);
        s.OnGap(FlowDirection.ClientToServer, 100, 2);
        var r = Assert.Single(h.Requests);
        Assert.True(r.Incomplete);
        s.OnClientData(Request(3, "GET", "/b", true), 3);
        s.OnClose(4);
        Assert.Single(h.Requests);
    }

    [Fact]
    public void GapInServerDirectionEmitsWithoutStatus()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Concat(H2.Preface, Request(1, "GET", "/a", true), Request(3, "POST", "/b", false)), 1);
        s.OnGap(FlowDirection.ServerToClient, 100, 2);
        Assert.Equal("/a", Assert.Single(h.Requests).Target);
        s.OnClientData(H2.Data(3, "x", true), 3);
        Assert.Equal(2, h.Requests.Count);
        Assert.Equal(0, h.Requests[1].ResponseStatus);
    }

    [Fact]
    public void GzipBodyOverHttp2()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, true))
            gz.Write("{\"bcc\":\"phan@giftshop.club\"}"u8);
        var client = Bytes.Concat(H2.Preface, Request(1, "POST", "/a", false, ("content-encoding", "gzip")),
            H2.Frame(0x0, 0x1, 1, ms.ToArray()));
        var r = Assert.Single(Run(client, Response(1, 200)));
        Assert.Equal("{\"bcc\":\"phan@giftshop.club\"}", Bytes.Utf8(r.Body));
    }

    [Fact]
    public void EverySplitPointGivesTheSameRecords()
    {
        var enc = new TestHpackEncoder { Huffman = true };
        var resp = new TestHpackEncoder();
        byte[] Req(int id, string path, bool end) => H2.Headers(id, enc.Encode((":method", "POST"), (":scheme", "https"), (":path", path),
            (":authority", "api.example.com"), ("authorization", "Bearer tok"), ("content-type", "application/json")), end);
        // Encode in wire order: the encoder's dynamic table must see blocks in the order the decoder will.
        var req1 = Req(1, "/email", false);
        var req3 = Req(3, "/email/batch", false);
        var block = enc.Encode((":method", "GET"), (":path", "/cont"), (":authority", "api.example.com"));
        var client = Bytes.Concat(H2.Preface, H2.Settings((0x1, 4096), (0x4, 65535)),
            req1, req3,
            H2.Frame(0x0, 0x8, 1, [2, .. "{\"a\":"u8, 0, 0]),
            H2.Data(3, "[1]", true),
            H2.Headers(5, block[..3], false, endHeaders: false), H2.Continuation(5, block[3..], true),
            H2.Data(5, "", true),
            H2.Data(1, "1}", true));
        var server = Bytes.Concat(H2.Settings((0x1, 4096)), H2.SettingsAck,
            H2.Headers(3, resp.Encode((":status", "200")), false), H2.Data(3, "{}", true),
            H2.Headers(1, resp.Encode((":status", "201")), true),
            H2.Headers(5, resp.Encode((":status", "200")), true), H2.GoAway(5));
        var anomalies = new AnomalyCounters();
        var expected = RecordText.Of(Run(client, server, a: anomalies));
        Assert.Equal("", string.Join(",", anomalies.Snapshot().Select(kv => kv.Key.Name)));
        Assert.Equal(3, Run(client, server).Count);
        Assert.Contains("/cont", expected);

        for (int k = 0; k <= client.Length; k++)
        {
            var h = new RecordingHandler();
            var s = new Http2Session(HttpOptions.Default, h, new AnomalyCounters());
            s.OnClientData(client.AsSpan(0, k), 1);
            s.OnClientData(client.AsSpan(k), 1);
            s.OnServerData(server, 2);
            s.OnClose(3);
            Assert.Equal(expected, RecordText.Of(h.Requests));
        }
        for (int k = 0; k <= server.Length; k++)
        {
            var h = new RecordingHandler();
            var s = new Http2Session(HttpOptions.Default, h, new AnomalyCounters());
            s.OnClientData(client, 1);
            s.OnServerData(server.AsSpan(0, k), 2);
            s.OnServerData(server.AsSpan(k), 2);
            s.OnClose(3);
            Assert.Equal(expected, RecordText.Of(h.Requests));
        }
        var h1 = new RecordingHandler();
        var s1 = new Http2Session(HttpOptions.Default, h1, new AnomalyCounters());
        foreach (byte b in client)
            s1.OnClientData([b], 1);
        foreach (byte b in server)
            s1.OnServerData([b], 2);
        s1.OnClose(3);
        Assert.Equal(expected, RecordText.Of(h1.Requests));
    }
}
