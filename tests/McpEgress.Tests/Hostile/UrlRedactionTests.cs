using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.MailApis;
using McpEgress.Tests.Http;
using McpEgress.Tests.MailApis;

namespace McpEgress.Tests.Hostile;

/// <summary>Issue 11: no credential in a request target reaches url.full, through the real HTTP/1.1 and HTTP/2 sessions.</summary>
public class UrlRedactionTests
{
    private const string Secret = "s3cr3t-VALUE-42";
    private const string Body = """{"From":"a@example.com","To":"b@example.com","Subject":"s","TextBody":"t"}""";

    public static TheoryData<string, string> Variants => new()
    {
        { "/email?api-key=" + Secret, "/email?api-key=[REDACTED]" },
        { "/email?auth_token=" + Secret, "/email?auth_token=[REDACTED]" },
        { "/email?client_secret=" + Secret + "&x=1", "/email?client_secret=[REDACTED]&x=1" },
        { "/email?password=" + Secret, "/email?password=[REDACTED]" },
        { "/email?PassWord=" + Secret, "/email?PassWord=[REDACTED]" },
        { "/email?x-postmark-server-token=" + Secret, "/email?x-postmark-server-token=[REDACTED]" },
        { "/email?X-Postmark-Server-Token=" + Secret, "/email?X-Postmark-Server-Token=[REDACTED]" },
        { "/email?%61pi%2Dkey=" + Secret, "/email?%61pi%2Dkey=[REDACTED]" },          // percent-encoded name
        { "/email?refresh_token=" + Secret, "/email?refresh_token=[REDACTED]" },
        { "/email?sig=" + Secret, "/email?sig=[REDACTED]" },
        { "/email?a=1;token=" + Secret, "/email?a=1;token=[REDACTED]" },              // ';' as a query separator
        { "/email;key=" + Secret, "/email;key=[REDACTED]" },                          // matrix parameter
        { "/v1;jsessionid=" + Secret + "/email?x=1", "/v1;jsessionid=[REDACTED]/email?x=1" },
        { "/email;v=2;api_key=" + Secret, "/email;v=2;api_key=[REDACTED]" },
        { "/email#access_token=" + Secret + "&token_type=bearer", "/email#access_token=[REDACTED]&token_type=[REDACTED]" }, // broad: token_type goes too
        { "/email?x=1#id_token=" + Secret, "/email?x=1#id_token=[REDACTED]" },
        { "https://user:" + Secret + "@api.postmarkapp.com/email", "https://[REDACTED]@api.postmarkapp.com/email" },
        { "https://" + Secret + "@api.postmarkapp.com/email?key=" + Secret, "https://[REDACTED]@api.postmarkapp.com/email?key=[REDACTED]" },
        { "http://api:" + Secret + "@api.postmarkapp.com:8080/email", "http://[REDACTED]@api.postmarkapp.com:8080/email" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void RedactTarget(string target, string expected) => Assert.Equal(expected, HttpRedaction.RedactTarget(target));

    [Theory]
    [InlineData("/email?monkey=1&keyring=2&author=x&page=2")]
    [InlineData("/email;v=2?page=3#section-2")]
    [InlineData("/a/b@c/d?x=y")]
    [InlineData("/email?key")]
    public void HarmlessTargetsStayAsSent(string target) => Assert.Same(target, HttpRedaction.RedactTarget(target));

    [Theory]
    [MemberData(nameof(Variants))]
    public void Http1UrlFullHasNoSecret(string target, string expected)
    {
        var wire = Bytes.Ascii($"POST {target} HTTP/1.1\r\nHost: api.postmarkapp.com\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {Body.Length}\r\n\r\n{Body}");
        var h = new RecordingHandler();
        var s = new Http1Session(HttpOptions.Default, h, new AnomalyCounters());
        s.OnClientData(wire, 1);
        s.OnClose(2);
        AssertRedacted(Assert.Single(h.Requests), expected);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Http2UrlFullHasNoSecret(string target, string expected)
    {
        var enc = new TestHpackEncoder { Huffman = true };
        var wire = Bytes.Concat(H2.Preface,
            H2.Headers(1, enc.Encode((":method", "POST"), (":scheme", "https"), (":path", target), (":authority", "api.postmarkapp.com"),
                ("content-type", "application/json")), false),
            H2.Data(1, Body, true));
        var h = new RecordingHandler();
        var s = new Http2Session(HttpOptions.Default, h, new AnomalyCounters());
        s.OnClientData(wire, 1);
        s.OnClose(2);
        AssertRedacted(Assert.Single(h.Requests), expected);
    }

    private static void AssertRedacted(HttpRequestRecord r, string expected)
    {
        Assert.Equal(expected, r.RedactedTarget);
        Assert.DoesNotContain(Secret, r.ToString());
        var result = new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink()).Extract(r, "api.postmarkapp.com");
        Assert.NotNull(result);
        // Matrix parameters don't hide the endpoint (/email;key=x is routed as /email): the message comes out, redacted.
        if (r.Target.StartsWith("/v1;")) return;
        var message = Assert.Single(result!.Messages);
        var url = Assert.IsType<string>(message.Http?.Url);
        Assert.DoesNotContain(Secret, url);
        Assert.Contains("[REDACTED]", url);
    }
}
