using System.Text;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

public class HeaderBlockParserTests
{
    private static List<HeaderField> Fields(string block, TestAnomalies? a = null, ImfOptions? o = null) =>
        HeaderBlockParser.ParseAll(Encoding.UTF8.GetBytes(block), o, a);

    [Fact]
    public void SplitsFieldsAndStopsAtEmptyLine()
    {
        var bytes = "From: a@x.example\r\nTo: b@y.example\r\n\r\nBody: not a header\r\n"u8;
        var list = HeaderBlockParser.ParseAll(bytes);
        Assert.Equal([new HeaderField("From", "a@x.example"), new HeaderField("To", "b@y.example")], list);
        var h = new Nothing();
        var r = HeaderBlockParser.Parse(bytes, ref h);
        Assert.Equal(new HeaderBlockResult(2, 38, true), r); // 38 = offset of "Body:"
    }

    [Fact]
    public void BlockWithoutEmptyLineAndWithoutFinalNewline()
    {
        Assert.Equal([new HeaderField("To", "b@y.example")], Fields("To: b@y.example"));
        var h = new Nothing();
        var r = HeaderBlockParser.Parse("To: b\r\n"u8, ref h);
        Assert.False(r.EndOfHeaders);
        Assert.Equal(7, r.BytesConsumed);
    }

    [Fact]
    public void BareLfLineEnds() =>
        Assert.Equal([new HeaderField("A", "1"), new HeaderField("B", "2")], Fields("A: 1\nB: 2\n\nC: 3\n"));

    [Fact]
    public void FoldedFieldsAreUnfolded()
    {
        // §2.2.3: remove the CRLF, keep the WSP.  "To: a@x,\r\n\tb@y" -> "a@x,\tb@y"
        Assert.Equal("a@x.example,\tb@y.example", Fields("To: a@x.example,\r\n\tb@y.example\r\n")[0].Value);
        // obs-fold (§4.2): a whitespace-only line is a continuation, not the end of the block.
        Assert.Equal([new HeaderField("Subject", "a   b"), new HeaderField("X", "y")], Fields("Subject: a\r\n \r\n  b\r\nX: y\r\n"));
    }

    [Fact]
    public void WhitespaceBeforeColonIsAccepted()
    {
        var a = new TestAnomalies();
        Assert.Equal([new HeaderField("Bcc", "e@evil.example")], Fields("Bcc \t: e@evil.example\r\n", a));
        Assert.Equal(["header_whitespace_before_colon"], a.Names);
    }

    [Fact]
    public void LinesWithoutColonAreSkipped()
    {
        var a = new TestAnomalies();
        Assert.Equal([new HeaderField("To", "b")], Fields("From a@b Mon Jan 1 2024\r\nnonsense\r\nTo: b\r\n", a));
        Assert.Equal(["header_line_without_colon", "header_line_without_colon"], a.Names);
    }

    [Fact]
    public void InvalidNamesAndOrphanContinuationsAreSkipped()
    {
        var a = new TestAnomalies();
        Assert.Equal([new HeaderField("To", "b")], Fields(" orphan\r\nBad Name: x\r\n: empty\r\nTo: b\r\n", a));
        Assert.Equal(["header_continuation_without_field", "header_name_invalid", "header_name_invalid"], a.Names);
    }

    [Fact]
    public void Raw8BitIsUtf8WithLatin1Fallback()
    {
        // "Subject: J\xC3\xB6rg" is UTF-8; "J\xF6rg" is not valid UTF-8 and becomes Latin-1.
        Assert.Equal("Jörg", HeaderBlockParser.ParseAll([.. "Subject: J"u8, 0xC3, 0xB6, .. "rg\r\n"u8])[0].Value);
        Assert.Equal("Jörg", HeaderBlockParser.ParseAll([.. "Subject: J"u8, 0xF6, .. "rg\r\n"u8])[0].Value);
        // Mixed in one value: valid sequences stay UTF-8.
        Assert.Equal("ö-ö", HeaderBlockParser.ParseAll([.. "S: "u8, 0xC3, 0xB6, (byte)'-', 0xF6])[0].Value);
    }

    [Fact]
    public void BareCrIsNotALineEnd()
    {
        // Postfix reads lines up to LF: "To: a\rBcc: e" is one To field; the CR becomes a space.
        var a = new TestAnomalies();
        Assert.Equal([new HeaderField("To", "a@x.example Bcc: e@evil.example")], Fields("To: a@x.example\rBcc: e@evil.example\r\n", a));
        Assert.Equal(["header_bare_cr"], a.Names);
    }

    [Fact]
    public void NulBytesAreKeptAndReported()
    {
        var a = new TestAnomalies();
        Assert.Equal("a\0b", HeaderBlockParser.ParseAll("To: a\0b\r\n"u8, null, a)[0].Value);
        Assert.Equal(["header_nul_byte"], a.Names);
    }

    [Fact]
    public void FieldLimit()
    {
        var a = new TestAnomalies();
        string block = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: {i}\r\n")) + "\r\nbody";
        var h = new Nothing();
        var r = HeaderBlockParser.Parse(Encoding.ASCII.GetBytes(block), ref h, new ImfOptions { MaxHeaderFields = 5 }, a);
        Assert.Equal(5, r.FieldCount);
        Assert.True(r.EndOfHeaders); // still finds the end of the block
        Assert.Equal(block.Length - 4, r.BytesConsumed);
        Assert.Equal(["too_many_header_fields"], a.Names);
    }

    [Fact]
    public void BlockSizeLimit()
    {
        var a = new TestAnomalies();
        string block = "To: a@x.example\r\nX: " + new string('x', 1000) + "\r\nBcc: late@y.example\r\n\r\n";
        var list = Fields(block, a, new ImfOptions { MaxHeaderBlockBytes = 100 });
        Assert.Equal(2, list.Count);
        Assert.Equal("To", list[0].Name);
        Assert.Equal(["header_block_too_large"], a.Names);
    }

    [Fact]
    public void OnlyWantedFieldsBecomeStrings()
    {
        var h = new OnlyTo();
        var r = HeaderBlockParser.Parse("From: a\r\nTo: b\r\nSubject: c\r\nto: d\r\n"u8, ref h);
        Assert.Equal(4, r.FieldCount);
        Assert.Equal(["b", "d"], h.Values);
    }

    [Fact]
    public void EveryPrefixOfAMessyBlockParsesWithoutThrowing()
    {
        byte[] block =
        [
            .. "From: \"Doe, J\" <j@x.example>\r\nTo: a@x.example,\r\n\tb@y.example\nCc : (c) c@z.example\r\n"u8,
            .. "Subject: =?utf-8?B?SsO2cmc=?= "u8, 0xFF, (byte)'\r', (byte)'\n', 0xF6, 0x00, (byte)'\r',
            .. "\r\n no-field\r\nBcc:\r\nResent-Bcc: <@r:e@evil.example>\r\n\r\nbody\r\n"u8,
        ];
        for (int n = 0; n <= block.Length; n++)
        {
            var a = new TestAnomalies();
            var m = MessageHeaders.Parse(block.AsSpan(0, n), null, a);
            Assert.InRange(m.BytesConsumed, 0, n);
            Assert.DoesNotContain("header_parser_error", a.Names);
            Assert.DoesNotContain("address_parser_error", a.Names);
            var all = HeaderBlockParser.ParseAll(block.AsSpan(0, n));
            Assert.True(all.Count <= 8);
        }
    }

    private struct Nothing : IHeaderFieldHandler
    {
        public readonly bool Wants(ReadOnlySpan<byte> name) => false;
        public readonly void OnField(HeaderField field) => throw new InvalidOperationException();
    }

    private sealed class OnlyTo : IHeaderFieldHandler
    {
        public List<string> Values { get; } = new();
        public bool Wants(ReadOnlySpan<byte> name) => System.Text.Ascii.EqualsIgnoreCase(name, "To"u8);
        public void OnField(HeaderField field) => Values.Add(field.Value);
    }
}
