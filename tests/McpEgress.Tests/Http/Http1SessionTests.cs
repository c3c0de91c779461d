using System.IO.Compression;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Http;

public class Http1SessionTests
{
    private static (RecordingHandler Handler, AnomalyCounters Anomalies, Http1Session Session) New(HttpOptions? options = null)
    {
        var h = new RecordingHandler();
        var a = new AnomalyCounters();
        return (h, a, new Http1Session(options ?? HttpOptions.Default, h, a));
    }

    private static List<HttpRequestRecord> Run(byte[] client, byte[] server, HttpOptions? options = null, AnomalyCounters? anomalies = null)
    {
        var h = new RecordingHandler();
        var s = new Http1Session(options ?? HttpOptions.Default, h, anomalies ?? new AnomalyCounters());
        s.OnClientData(client, 1);
        s.OnServerData(server, 2);
        s.OnClose(3);
        return h.Requests;
    }

    private static readonly byte[] PostContentLength = Bytes.Ascii(
        "POST /email HTTP/1.1\r\n" +
        "Host: api.postmarkapp.com\r\n" +
        "X-Postmark-Server-Token: tok-123\r\n" +
        "Content-Type: application/json\r\n" +
        "Content-Length: 13\r\n" +
        "\r\n" +
        "{\"To\":\"a@b\"}\n");

    private static readonly byte[] Ok = Bytes.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");

    [Fact]
    public void ContentLengthRequest()
    {
        var r = Assert.Single(Run(PostContentLength, Ok));
        Assert.Equal("HTTP/1.1", r.Version);
        Assert.Equal("POST", r.Method);
        Assert.Equal("/email", r.Target);
        Assert.Equal("api.postmarkapp.com", r.Authority);
        Assert.Equal("application/json", r.ContentType);
        Assert.Equal("{\"To\":\"a@b\"}\n", Bytes.Utf8(r.Body));
        Assert.Equal(200, r.ResponseStatus);
        Assert.Equal("[REDACTED]", r.GetHeader("x-postmark-server-token"));
        Assert.False(r.BodyTruncated);
        Assert.False(r.Incomplete);
    }

    [Fact]
    public void EmittedWhenResponseHeadArrives()
    {
        var (h, _, s) = New();
        s.OnClientData(PostContentLength, 1);
        Assert.Empty(h.Requests);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), 2);
        Assert.Single(h.Requests);
    }

    [Fact]
    public void ChunkedWithExtensionsAndTrailers()
    {
        var client = Bytes.Ascii(
            "POST /v3/mail/send HTTP/1.1\r\nHost: api.sendgrid.com\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5;name=value\r\nhello\r\n" +   // chunk with an extension
            "6 ; x=\"y\"\r\n world\r\n" +   // whitespace before the extension
            "0\r\n" +
            "X-Trailer: t\r\n" +            // trailer section
            "\r\n");
        var r = Assert.Single(Run(client, Ok));
        Assert.Equal("hello world", Bytes.Utf8(r.Body));
        Assert.Equal(11, r.BodyWireBytes);
    }

    [Fact]
    public void PipelinedRequestsMatchResponsesFifo()
    {
        var client = Bytes.Ascii(
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" +
            "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        var server = Bytes.Ascii(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHELLO" +
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n" +
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        var rs = Run(client, server);
        Assert.Equal(["/a", "/b", "/c"], rs.Select(r => r.Target));
        Assert.Equal([200, 201, 404], rs.Select(r => r.ResponseStatus));
        Assert.Equal("abc", Bytes.Utf8(rs[1].Body));
    }

    [Fact]
    public void ExpectContinueInterimResponseDoesNotComplete()
    {
        var (h, _, s) = New();
        s.OnClientData(Bytes.Ascii("POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"), 1);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 100 Continue\r\n\r\n"), 2);
        Assert.Empty(h.Requests);
        s.OnClientData(Bytes.Ascii("body"), 3);
        Assert.Empty(h.Requests);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 4);
        var r = Assert.Single(h.Requests);
        Assert.Equal(200, r.ResponseStatus);
        Assert.Equal("body", Bytes.Utf8(r.Body));
    }

    [Fact]
    public void EarlyFinalResponseWaitsForBody()
    {
        var (h, _, s) = New();
        s.OnClientData(Bytes.Ascii("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbo"), 1);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n"), 2);
        Assert.Empty(h.Requests);
        s.OnClientData(Bytes.Ascii("dy"), 3);
        Assert.Equal(413, Assert.Single(h.Requests).ResponseStatus);
    }

    [Fact]
    public void HeadAnd204And304ResponsesHaveNoBody()
    {
        var client = Bytes.Ascii(
            "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n" +
            "DELETE /b HTTP/1.1\r\nHost: h\r\n\r\n" +
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n" +
            "GET /d HTTP/1.1\r\nHost: h\r\n\r\n");
        // Content-Length on HEAD/204/304 must not be read as a body, or the next status line would be swallowed.
        var server = Bytes.Ascii(
            "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
            "HTTP/1.1 204 No Content\r\n\r\n" +
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n" +
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var rs = Run(client, server);
        Assert.Equal([200, 204, 304, 200], rs.Select(r => r.ResponseStatus));
    }

    [Fact]
    public void ResponseUntilCloseEndsAtClose()
    {
        var rs = Run(Bytes.Ascii("GET /a HTTP/1.0\r\n\r\n"), Bytes.Ascii("HTTP/1.0 200 OK\r\n\r\nHTTP/1.1 500 looks like a status line but is body"));
        Assert.Equal(200, Assert.Single(rs).ResponseStatus);
    }

    [Fact]
    public void LfOnlyAndObsFoldTolerated()
    {
        var anomalies = new AnomalyCounters();
        var client = Bytes.Ascii("\r\nPOST /x HTTP/1.1\nHost: h\nX-Long: a\n  b\nContent-Length: 2\n\nhi");
        var r = Assert.Single(Run(client, Bytes.Ascii("HTTP/1.1 200 OK\nContent-Length: 0\n\n"), anomalies: anomalies));
        Assert.Equal("a b", r.GetHeader("X-Long"));
        Assert.Equal("hi", Bytes.Utf8(r.Body));
        Assert.Equal(200, r.ResponseStatus);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Http, HttpAnomalies.ObsFold));
    }

    private static byte[] Compress(string coding, byte[] data)
    {
        var ms = new MemoryStream();
        using (Stream z = coding switch
        {
            "gzip" => new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true),
            "rawdeflate" => new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(ms, CompressionLevel.Optimal, leaveOpen: true),
        })
            z.Write(data);
        return ms.ToArray();
    }

    private static byte[] Post(string contentEncoding, byte[] body) => Bytes.Concat(
        Bytes.Ascii($"POST /send HTTP/1.1\r\nHost: h\r\nContent-Encoding: {contentEncoding}\r\nContent-Length: {body.Length}\r\n\r\n"), body);

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("rawdeflate", "deflate")]
    [InlineData("br", "br")]
    public void CompressedBodiesAreDecoded(string compressor, string header)
    {
        var json = Encoding.UTF8.GetBytes("{\"to\":[\"x@example.org\"],\"bcc\":[\"phan@giftshop.club\"]}");
        var r = Assert.Single(Run(Post(header, Compress(compressor, json)), Ok));
        Assert.Null(r.BodyDecodeError);
        Assert.Equal(json, r.Body.ToArray());
    }

    [Fact]
    public void DecompressionBombStopsAtCap()
    {
        var options = new HttpOptions { MaxDecompressedBodyBytes = 1024 * 1024 };
        var bomb = Compress("gzip", new byte[50 * 1024 * 1024]); // ~50 KB on the wire, 50 MiB inflated
        Assert.True(bomb.Length < 100 * 1024);
        var anomalies = new AnomalyCounters();
        var r = Assert.Single(Run(Post("gzip", bomb), Ok, options, anomalies));
        Assert.Equal(1024 * 1024, r.Body.Length);
        Assert.True(r.BodyTruncated);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Http, HttpAnomalies.DecompressedBodyLimit));
    }

    [Fact]
    public void InvalidGzipReportsError()
    {
        var anomalies = new AnomalyCounters();
        var r = Assert.Single(Run(Post("gzip", Bytes.Ascii("this is not gzip at all")), Ok, anomalies: anomalies));
        Assert.Equal("gzip: invalid data", r.BodyDecodeError);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Http, HttpAnomalies.GzipInvalid));
    }

    [Theory]
    [InlineData("br", "br: invalid data", "br_invalid")]
    [InlineData("deflate", "deflate: invalid data", "deflate_invalid")]
    public void InvalidBrAndDeflateReportErrors(string coding, string error, string anomaly)
    {
        var anomalies = new AnomalyCounters();
        var body = Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11)).ToArray();
        var r = Assert.Single(Run(Post(coding, body), Ok, anomalies: anomalies));
        Assert.Equal(error, r.BodyDecodeError);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Http, anomaly));
    }

    [Fact]
    public void UnknownContentEncodingKeepsRawBody()
    {
        var r = Assert.Single(Run(Post("zstd", Bytes.Ascii("raw")), Ok));
        Assert.Equal("raw", Bytes.Utf8(r.Body));
        Assert.Equal("unsupported content-encoding", r.BodyDecodeError);
    }

    [Fact]
    public void BodyOverLimitIsTruncatedButCounted()
    {
        var options = new HttpOptions { MaxBodyBytes = 10 };
        var client = Bytes.Ascii("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyzGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        var rs = Run(client, Bytes.Concat(Ok, Ok), options);
        Assert.Equal(2, rs.Count);
        Assert.Equal("abcdefghij", Bytes.Utf8(rs[0].Body));
        Assert.True(rs[0].BodyTruncated);
        Assert.Equal(26, rs[0].BodyWireBytes);
        Assert.Equal("/next", rs[1].Target);
    }

    [Fact]
    public void GapInsideKnownLengthBodyKeepsFraming()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"), 1);
        s.OnGap(FlowDirection.ClientToServer, 4, 2);
        s.OnClientData(Bytes.Ascii("hij" + "GET /y HTTP/1.1\r\nHost: h\r\n\r\n"), 3);
        s.OnServerData(Bytes.Concat(Ok, Ok), 4);
        Assert.Equal(["/x", "/y"], h.Requests.Select(r => r.Target));
        Assert.True(h.Requests[0].Incomplete);
        Assert.True(h.Requests[0].BodyTruncated);
        Assert.Equal("abchij", Bytes.Utf8(h.Requests[0].Body));
        Assert.Equal(200, h.Requests[1].ResponseStatus);
    }

    [Fact]
    public void GapInHeadersResyncsAtNextRequestLine()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("POST /lost HTTP/1.1\r\nHost: h\r\nContent-"), 1);
        s.OnGap(FlowDirection.ClientToServer, 500, 2);
        s.OnClientData(Bytes.Ascii("garbage tail of something\r\nmore junk\r\nPOST /found HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"), 3);
        s.OnServerData(Ok, 4);
        s.OnClose(5);
        var r = Assert.Single(h.Requests);
        Assert.Equal("/found", r.Target);
        Assert.Equal("ok", Bytes.Utf8(r.Body));
    }

    [Fact]
    public void GapInChunkedBodyEmitsIncompleteAndResyncs()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab"), 1);
        s.OnGap(FlowDirection.ClientToServer, 100, 2);
        s.OnClientData(Bytes.Ascii("zz\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"), 3);
        s.OnServerData(Ok, 4);
        s.OnClose(5);
        Assert.Equal(["/a", "/b"], h.Requests.Select(r => r.Target));
        Assert.True(h.Requests[0].Incomplete);
        Assert.Equal(0, h.Requests[0].ResponseStatus); // the owed response is skipped, not given to /a
        Assert.Equal(0, h.Requests[1].ResponseStatus); // Ok is taken as /a's response and skipped
    }

    [Fact]
    public void ServerGapEmitsWaitingRequestsWithoutStatus()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), 1);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 2"), 2);
        s.OnGap(FlowDirection.ServerToClient, 50, 3);
        Assert.Equal(0, Assert.Single(h.Requests).ResponseStatus);
        s.OnClientData(Bytes.Ascii("GET /b HTTP/1.1\r\nHost: h\r\n\r\n"), 4);
        s.OnServerData(Bytes.Ascii("junk\r\nHTTP/1.1 204 No Content\r\n\r\n"), 5);
        Assert.Equal(204, h.Requests[1].ResponseStatus);
    }

    [Fact]
    public void UpgradeStopsParsing()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), 1);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"), 2);
        s.OnClientData(Bytes.Ascii("\x81\x85garbage GET /x HTTP/1.1\r\n\r\n"), 3);
        s.OnClose(4);
        Assert.Equal(101, Assert.Single(h.Requests).ResponseStatus);
        Assert.True(s.Stopped);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.ProtocolUpgrade));
    }

    [Fact]
    public void ConnectStopsParsing()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n\x16\x03\x01"), 1);
        s.OnServerData(Bytes.Ascii("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03"), 2);
        s.OnClose(3);
        var r = Assert.Single(h.Requests);
        Assert.Equal("CONNECT", r.Method);
        Assert.Equal(200, r.ResponseStatus);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.ConnectTunnel));
    }

    [Fact]
    public void HeaderSectionTooLargeIsReportedAndSkipped()
    {
        var options = new HttpOptions { MaxHeaderBytes = 200 };
        var anomalies = new AnomalyCounters();
        var client = Bytes.Ascii("GET /big HTTP/1.1\r\nX-A: " + new string('a', 300) + "\r\n\r\nGET /ok HTTP/1.1\r\nHost: h\r\n\r\n");
        var rs = Run(client, Ok, options, anomalies);
        Assert.Equal("/ok", Assert.Single(rs).Target);
        Assert.True(anomalies.Get(AnomalyStage.Http, HttpAnomalies.HeaderSectionTooLarge) >= 1);
    }

    [Fact]
    public void BadChunkSizeIsReported()
    {
        var anomalies = new AnomalyCounters();
        var rs = Run(Bytes.Ascii("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), Ok, anomalies: anomalies);
        Assert.True(Assert.Single(rs).Incomplete);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Http, HttpAnomalies.BadChunkSize));
    }

    [Fact]
    public void TooManyPendingRequestsEvictsOldest()
    {
        var options = new HttpOptions { MaxPendingRequests = 2 };
        var (h, a, s) = (new RecordingHandler(), new AnomalyCounters(), (Http1Session?)null);
        s = new Http1Session(options, h, a);
        for (int i = 0; i < 3; i++)
            s.OnClientData(Bytes.Ascii($"GET /{i} HTTP/1.1\r\nHost: h\r\n\r\n"), i);
        Assert.Equal("/0", Assert.Single(h.Requests).Target);
        Assert.Equal(1, a.Get(AnomalyStage.Http, HttpAnomalies.TooManyPendingRequests));
    }

    [Fact]
    public void CloseEmitsIncompleteRequest()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial"), 1);
        s.OnClose(2);
        var r = Assert.Single(h.Requests);
        Assert.True(r.Incomplete);
        Assert.Equal("partial", Bytes.Utf8(r.Body));
        Assert.Equal(0, r.ResponseStatus);
    }

    [Fact]
    public void StartTimestampIsWhenTheRequestLineStarted()
    {
        var (h, a, s) = New();
        s.OnClientData(Bytes.Ascii("GET /a HTTP/1.1\r\n"), 100);
        s.OnClientData(Bytes.Ascii("Host: h\r\n\r\nGE"), 200);
        s.OnClientData(Bytes.Ascii("T /b HTTP/1.1\r\n\r\n"), 300);
        s.OnClose(400);
        Assert.Equal([100L, 200L], h.Requests.Select(r => r.StartTimestampNs));
    }

    private static readonly byte[] SplitClient = Bytes.Concat(
        Bytes.Ascii("POST /email HTTP/1.1\r\nHost: api.postmarkapp.com\r\nAuthorization: Bearer secret-1\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ChunkedGzip("{\"To\":\"a@example.org\",\"Bcc\":\"phan@giftshop.club\"}"),
        Bytes.Ascii("GET /status?api_key=k1 HTTP/1.1\nHost: h\n\n"),
        Bytes.Ascii("POST /b HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"));

    private static readonly byte[] SplitServer = Bytes.Ascii(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;e=1\r\nok\r\n0\r\nT: x\r\n\r\n" +
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n" +
        "HTTP/1.1 100 Continue\r\n\r\n" +
        "HTTP/1.1 202 Accepted\r\nContent-Length: 3\r\n\r\nabc");

    private static byte[] ChunkedGzip(string json)
    {
        var gz = Compress("gzip", Encoding.UTF8.GetBytes(json));
        var half = gz.Length / 2;
        return Bytes.Concat(
            Bytes.Ascii($"{half:x};ext=1\r\n"), gz[..half], Bytes.Ascii("\r\n"),
            Bytes.Ascii($"{gz.Length - half:X}\r\n"), gz[half..], Bytes.Ascii("\r\n0\r\n\r\n"));
    }

    [Fact]
    public void EverySplitPointGivesTheSameRecords()
    {
        var expected = RecordText.Of(Run(SplitClient, SplitServer));
        Assert.Contains("phan@giftshop.club", Encoding.UTF8.GetString(Run(SplitClient, SplitServer)[0].Body.Span));
        Assert.Equal(3, Run(SplitClient, SplitServer).Count);

        for (int k = 0; k <= SplitClient.Length; k++)
        {
            var h = new RecordingHandler();
            var s = new Http1Session(HttpOptions.Default, h, new AnomalyCounters());
            s.OnClientData(SplitClient.AsSpan(0, k), 1);
            s.OnClientData(SplitClient.AsSpan(k), 1);
            s.OnServerData(SplitServer, 2);
            s.OnClose(3);
            Assert.Equal(expected, RecordText.Of(h.Requests));
        }
        for (int k = 0; k <= SplitServer.Length; k++)
        {
            var h = new RecordingHandler();
            var s = new Http1Session(HttpOptions.Default, h, new AnomalyCounters());
            s.OnClientData(SplitClient, 1);
            s.OnServerData(SplitServer.AsSpan(0, k), 2);
            s.OnServerData(SplitServer.AsSpan(k), 2);
            s.OnClose(3);
            Assert.Equal(expected, RecordText.Of(h.Requests));
        }
    }

    [Fact]
    public void OneByteAtATimeGivesTheSameRecords()
    {
        var expected = RecordText.Of(Run(SplitClient, SplitServer));
        var h = new RecordingHandler();
        var s = new Http1Session(HttpOptions.Default, h, new AnomalyCounters());
        // A server never answers a request it has not received: all client bytes first, then all server bytes.
        for (int c = 0; c < SplitClient.Length; c++)
            s.OnClientData(SplitClient.AsSpan(c, 1), 1);
        for (int v = 0; v < SplitServer.Length; v++)
            s.OnServerData(SplitServer.AsSpan(v, 1), 2);
        s.OnClose(3);
        Assert.Equal(expected, RecordText.Of(h.Requests));
    }
}
