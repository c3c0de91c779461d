using System.Collections;
using System.Reflection;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;

namespace McpEgress.Tests.Http;

public class HttpRedactionTests
{
    private const string Secret = "s3cr3t-VALUE-42";

    [Theory]
    [InlineData("Authorization", "Bearer " + Secret, "Bearer [REDACTED]")]
    [InlineData("authorization", "Basic " + Secret, "Basic [REDACTED]")]
    [InlineData("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host, Signature=" + Secret, "AWS4-HMAC-SHA256 [REDACTED]")]
    [InlineData("Authorization", Secret, "[REDACTED]")] // SparkPost: raw key, no scheme
    [InlineData("Proxy-Authorization", "Basic " + Secret, "Basic [REDACTED]")]
    [InlineData("Cookie", "sid=" + Secret, "[REDACTED]")]
    [InlineData("X-Postmark-Server-Token", Secret, "[REDACTED]")]
    [InlineData("X-Postmark-Account-Token", Secret, "[REDACTED]")]
    [InlineData("api-key", Secret, "[REDACTED]")]
    [InlineData("X-Api-Key", Secret, "[REDACTED]")]
    [InlineData("X-Amz-Security-Token", Secret, "[REDACTED]")]
    [InlineData("X-Refresh-Token", Secret, "[REDACTED]")]
    [InlineData("X-Client-Secret", Secret, "[REDACTED]")]
    [InlineData("X-Apikey", Secret, "[REDACTED]")]
    [InlineData("X-Password", Secret, "[REDACTED]")]
    [InlineData("Content-Type", "application/json", "application/json")]
    [InlineData("X-Amz-Date", "20261122T000000Z", "20261122T000000Z")]
    public void HeaderValues(string name, string value, string expected) =>
        Assert.Equal(expected, HttpRedaction.RedactHeaderValue(name, value));

    [Theory]
    [InlineData("/email", "/email")]
    [InlineData("/gmail/v1/users/me/messages/send?access_token=abc&alt=json", "/gmail/v1/users/me/messages/send?access_token=[REDACTED]&alt=json")]
    [InlineData("/x?key=abc", "/x?key=[REDACTED]")]
    [InlineData("/x?a=1&api_key=k&apikey=k&token=t&signature=s", "/x?a=1&api_key=[REDACTED]&apikey=[REDACTED]&token=[REDACTED]&signature=[REDACTED]")]
    [InlineData("/b?X-Amz-Signature=s&X-Amz-Credential=c&X-Amz-Security-Token=t&X-Amz-Date=d#frag",
        "/b?X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&X-Amz-Security-Token=[REDACTED]&X-Amz-Date=d#frag")]
    [InlineData("/x?monkey=1&keyring=2", "/x?monkey=1&keyring=2")]
    [InlineData("/x?key", "/x?key")]
    public void Targets(string target, string expected) => Assert.Equal(expected, HttpRedaction.RedactTarget(target));

    /// <summary>Every string reachable from the record (properties, header pairs, body text) is free of the secret.</summary>
    [Fact]
    public void NoSecretAnywhereInHttp1Record()
    {
        var client = Bytes.Ascii(
            "POST /email HTTP/1.1\r\nHost: api.postmarkapp.com\r\n" +
            $"Authorization: Bearer {Secret}\r\nX-Postmark-Server-Token: {Secret}\r\nCookie: a={Secret}\r\napi-key: {Secret}\r\n" +
            $"X-Amz-Security-Token: {Secret}\r\nX-Some-Secret: {Secret}\r\nX-Folded-Token: a\r\n {Secret}\r\nContent-Length: 2\r\n\r\n{{}}");
        var h = new RecordingHandler();
        var s = new Http1Session(HttpOptions.Default, h, new AnomalyCounters());
        s.OnClientData(client, 1);
        s.OnClose(2);
        var r = Assert.Single(h.Requests);
        AssertNoSecret(r);
        Assert.Equal("Bearer [REDACTED]", r.GetHeader("authorization"));
    }

    [Fact]
    public void NoSecretAnywhereInHttp2Record()
    {
        var enc = new TestHpackEncoder { Huffman = true };
        var client = Bytes.Concat(H2.Preface, H2.Headers(1, enc.Encode((":method", "POST"), (":path", "/v3/mail/send"),
            (":authority", "api.sendgrid.com"), ("authorization", "Bearer " + Secret), ("cookie", "a=" + Secret), ("cookie", "b=" + Secret),
            ("x-api-key", Secret)), true));
        var h = new RecordingHandler();
        var s = new Http2Session(HttpOptions.Default, h, new AnomalyCounters());
        s.OnClientData(client, 1);
        s.OnClose(2);
        AssertNoSecret(Assert.Single(h.Requests));
    }

    private static void AssertNoSecret(HttpRequestRecord r)
    {
        var strings = new List<string>();
        foreach (var p in typeof(HttpRequestRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var v = p.GetValue(r);
            switch (v)
            {
                case string str:
                    strings.Add(str);
                    break;
                case ReadOnlyMemory<byte> mem:
                    strings.Add(Bytes.Utf8(mem));
                    break;
                case IEnumerable e:
                    foreach (var item in e)
                        if (item is KeyValuePair<string, string> kv)
                            strings.AddRange([kv.Key, kv.Value]);
                    break;
            }
        }
        strings.Add(r.ToString());
        Assert.True(strings.Count > 8);
        Assert.DoesNotContain(strings, x => x.Contains(Secret));
        Assert.DoesNotContain(strings, x => x.Contains("s3cr3t"));
    }
}
