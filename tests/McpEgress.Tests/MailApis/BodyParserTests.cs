using System.Text;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Tests.MailApis;

public class BodyParserTests
{
    [Fact]
    public void UrlEncoded_PlusPercentRepeatedAndMalformed()
    {
        var f = FormUrlEncodedParser.Parse("a=1+2&to=x%40y&to=z%2Cw&bad=%zz%4&&flag&e="u8, 100);
        Assert.Equal(["a", "to", "to", "bad", "flag", "e"], f.Fields.Select(x => x.Name));
        Assert.Equal("1 2", f.Get("a"));
        Assert.Equal(["x@y", "z,w"], f.GetAll("to"));
        Assert.Equal("%zz%4", f.Get("bad"));
        Assert.Equal("", f.Get("flag"));
        Assert.Null(f.Get("missing"));
    }

    [Fact]
    public void UrlEncoded_FieldLimit()
    {
        var an = new MailApiAnomalySink();
        var f = FormUrlEncodedParser.Parse("a=1&b=2&c=3"u8, 2, an);
        Assert.Equal(2, f.Count);
        Assert.True(an.Has("too_many_form_fields"));
    }

    [Fact]
    public void UrlEncoded_Utf8AndRawBytes()
    {
        var f = FormUrlEncodedParser.Parse("s=%C3%A9t%C3%A9&b=%FF"u8, 10);
        Assert.Equal("été", f.Get("s"));
        Assert.Equal([0xFF], f.GetField("b")!.Data.ToArray());
    }

    [Fact]
    public void Multipart_Parts_HeadersAndBodies()
    {
        // preamble, two parts (CRLF), a folded header, a bare-LF part, then the close delimiter and an epilogue.
        var body = Encoding.ASCII.GetBytes(
            "preamble\r\n--XyZ\r\nContent-Disposition: form-data;\r\n name=\"to\"\r\n\r\na@x\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"message\"; filename=\"MimeMessage\"\r\nContent-Type: message/rfc822\r\n\r\nTo: b@y\r\n\r\nbody\r\n"
            + "--XyZ\nContent-Disposition: form-data; name=\"lf\"\n\nv\n--XyZ--\r\nepilogue");
        var parts = MultipartParser.Parse(body, "XyZ", 10, null, out bool malformed);
        Assert.False(malformed);
        Assert.Equal(3, parts.Count);
        Assert.Equal("to", parts[0].Name);
        Assert.Equal("a@x", Encoding.ASCII.GetString(parts[0].Body.Span));
        Assert.Equal("message", parts[1].Name);
        Assert.Equal("MimeMessage", parts[1].FileName);
        Assert.Equal("message/rfc822", parts[1].ContentType);
        Assert.Equal("To: b@y\r\n\r\nbody", Encoding.ASCII.GetString(parts[1].Body.Span));
        Assert.Equal("v", Encoding.ASCII.GetString(parts[2].Body.Span));
    }

    [Fact]
    public void Multipart_BoundaryTextInsideBodyIsNotADelimiter()
    {
        var body = Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx--b y\r\n--bz\r\n--b--");
        var parts = MultipartParser.Parse(body, "b", 10, null, out bool malformed);
        // "--bz" starts a line and begins with the delimiter: RFC 2046 says boundaries must not be prefixes of content,
        // so senders never produce it; we treat it as a delimiter followed by junk padding.
        Assert.False(malformed);
        Assert.Equal("x--b y", Encoding.ASCII.GetString(parts[0].Body.Span));
    }

    [Fact]
    public void Multipart_PartLimitAndMalformed()
    {
        var an = new MailApiAnomalySink();
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.Append("--b\r\nContent-Disposition: form-data; name=\"f").Append(i).Append("\"\r\n\r\nv\r\n");
        sb.Append("--b--");
        var parts = MultipartParser.Parse(Encoding.ASCII.GetBytes(sb.ToString()), "b", 3, an, out bool malformed);
        Assert.Equal(3, parts.Count);
        Assert.False(malformed);
        Assert.True(an.Has("too_many_multipart_parts"));

        Assert.Empty(MultipartParser.Parse("no delimiter here"u8.ToArray(), "b", 3, an, out malformed));
        Assert.True(malformed);
        Assert.Empty(MultipartParser.Parse("--b\r\n"u8.ToArray(), "", 3, an, out malformed));
        Assert.True(malformed);
    }

    [Fact]
    public void Multipart_EveryPrefix_NeverThrowsAndNeverCutsAValue()
    {
        var full = Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nlong.address@example.com\r\n--b--\r\n");
        for (int i = 0; i <= full.Length; i++)
        {
            var parts = MultipartParser.Parse(full.AsMemory(0, i), "b", 10, null, out _);
            foreach (var p in parts)
                Assert.True(p.Body.Length == 0 || Encoding.ASCII.GetString(p.Body.Span) == "long.address@example.com");
        }
    }

    [Theory]
    [InlineData("aGVsbG8gd29ybGQ=", "hello world")]
    [InlineData("aGVsbG8gd29ybGQ", "hello world")]
    [InlineData("aGVs\r\nbG8g d29y\nbGQ=", "hello world")]
    [InlineData("-_8", "\u00fb\u00ff")]
    [InlineData("+/8=", "\u00fb\u00ff")]
    [InlineData("", "")]
    public void Base64Loose_Decodes(string text, string latin1)
    {
        Assert.True(Base64Loose.TryDecode(text, 1000, out var bytes, out bool cut));
        Assert.False(cut);
        Assert.Equal(latin1, Encoding.Latin1.GetString(bytes));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab$d")]
    [InlineData("ab=c")]
    [InlineData("abcde")]
    public void Base64Loose_Rejects(string text) => Assert.False(Base64Loose.TryDecode(text, 1000, out _, out _));

    [Fact]
    public void Base64Loose_CutsAtLimit()
    {
        var text = Convert.ToBase64String(new byte[1000]);
        Assert.True(Base64Loose.TryDecode(text, 10, out var bytes, out bool cut));
        Assert.True(cut);
        Assert.Equal(10, bytes.Length);
    }

    [Fact]
    public void MediaType_Parameters()
    {
        var m = MediaType.Parse("Multipart/Form-Data; charset=utf-8; boundary=\"a;b\\\"c\"");
        Assert.Equal("multipart/form-data", m.Type);
        Assert.Equal("form-data", m.SubType);
        Assert.Equal("a;b\"c", m.Parameter("BOUNDARY"));
        Assert.Equal("utf-8", m.Parameter("charset"));
        Assert.Equal("", MediaType.Parse(null).Type);
    }

    [Fact]
    public void FormJson_BracketsToTree()
    {
        var f = FormUrlEncodedParser.Parse(
            "key=k&message[to][1][email]=b&message[to][0][email]=a&message[to][0][type]=bcc&to[]=x&to[]=y&message[headers][Reply-To]=r"u8, 100);
        var json = FormJson.ToJson(f, 16).ToJsonString();
        Assert.Equal("""{"key":"k","message":{"to":[{"email":"a","type":"bcc"},{"email":"b"}],"headers":{"Reply-To":"r"}},"to":["x","y"]}""", json);
    }
}
