using System.Text;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

/// <summary>Header block edge cases through MimeKit's parser (<see cref="MessageHeaders"/>), from byte literals.</summary>
public class HeaderBlockTests
{
    private static MessageHeaders Parse(ReadOnlySpan<byte> block, TestAnomalies? a = null, ImfOptions? o = null) =>
        MessageHeaders.Parse(block, o, a);

    [Fact]
    public void StopsAtEmptyLine()
    {
        var m = Parse("From: a@x.example\r\nTo: b@y.example\r\n\r\nBcc: body@not.header\r\n"u8);
        Assert.Equal("a@x.example", Assert.Single(m.From).Address);
        Assert.Equal("b@y.example", Assert.Single(m.To).Address);
        Assert.False(m.HasBcc);
        Assert.Equal(2, m.FieldCount);
        Assert.True(m.EndOfHeaders);
    }

    [Fact]
    public void BlockWithoutEmptyLineAndWithoutFinalNewline()
    {
        var m = Parse("To: b@y.example"u8);
        Assert.Equal("b@y.example", Assert.Single(m.To).Address);
        Assert.False(m.EndOfHeaders);
    }

    [Fact]
    public void BareLfLineEnds()
    {
        var m = Parse("From: a@x.example\nTo: b@y.example\n\nCc: c@z.example\n"u8);
        Assert.Equal("b@y.example", Assert.Single(m.To).Address);
        Assert.Empty(m.Cc);
        Assert.True(m.EndOfHeaders);
    }

    [Fact]
    public void FoldedFieldsAreUnfolded()
    {
        // §2.2.3: "To: a@x,\r\n\tb@y" is one field.
        Assert.Equal(["a@x.example", "b@y.example"], Parse("To: a@x.example,\r\n\tb@y.example\r\n"u8).To.Select(x => x.Address));
        // obs-fold (§4.2): a whitespace-only line is a continuation, not the end of the block.
        var m = Parse("Subject: a\r\n \r\n  b\r\nTo: y@x.example\r\n"u8);
        Assert.Equal("a   b", m.Subject);
        Assert.Equal("y@x.example", Assert.Single(m.To).Address);
    }

    [Fact]
    public void WhitespaceBeforeColonIsAccepted() =>
        // §4.5.3 obs-optional: "Bcc \t:" is still Bcc.
        Assert.Equal("e@evil.example", Assert.Single(Parse("Bcc \t: e@evil.example\r\nTo: x@y.example\r\n"u8).Bcc).Address);

    [Fact]
    public void LeadingLinesThatAreNotFieldsAreSkipped()
    {
        // An mbox "From " line, junk and an orphan continuation before the first field: skipped and counted.
        var a = new TestAnomalies();
        var m = Parse("From a@b Mon Jan 1 2024\r\n orphan\r\nTo: b@x.example\r\n"u8, a);
        Assert.Equal("b@x.example", Assert.Single(m.To).Address);
        Assert.Equal(["header_line_without_colon", "header_line_without_colon"], a.Names);
    }

    [Fact]
    public void LinesWithoutColonInsideTheBlockDoNotEndIt()
    {
        var m = Parse("To: a@x.example\r\nnonsense\r\nBad Name: x\r\nCc: b@y.example\r\n"u8);
        Assert.Equal("a@x.example", Assert.Single(m.To).Address);
        Assert.Equal("b@y.example", Assert.Single(m.Cc).Address);
    }

    [Fact]
    public void Undeclared8BitIsUtf8WhenValid()
    {
        // "J\xC3\xB6rg" is valid UTF-8 (RFC 6532).
        Assert.Equal("Jörg", Parse([.. "Subject: J"u8, 0xC3, 0xB6, .. "rg\r\n"u8]).Subject);
        Assert.Equal("Jörg", Assert.Single(Parse([.. "To: J"u8, 0xC3, 0xB6, .. "rg <j@x.example>\r\n"u8]).To).DisplayName);
    }

    [Fact]
    public void Undeclared8BitIsWindows1252WhenNotUtf8()
    {
        // 0x92 is windows-1252's right single quote; read as Latin-1 it would be the C1 control U+0092.
        Assert.Equal("it\u2019s", Parse([.. "Subject: it"u8, 0x92, .. "s\r\n"u8]).Subject);
        Assert.Equal("Jörg", Parse([.. "Subject: J"u8, 0xF6, .. "rg\r\n"u8]).Subject);
        Assert.Equal("J\u2019s Office", Assert.Single(Parse([.. "Cc: J"u8, 0x92, .. "s Office <o@x.example>\r\n"u8]).Cc).DisplayName);
    }

    [Fact]
    public void BareCrIsNotALineEnd()
    {
        // Postfix reads lines up to LF: "To: a\rBcc: e" is one To field, so e@evil.example is visible, not a Bcc.
        var m = Parse("To: a@x.example\rBcc: e@evil.example\r\n"u8);
        Assert.False(m.HasBcc);
        Assert.Contains("e@evil.example", m.To.Select(x => x.Address));
    }

    [Fact]
    public void NulBytesAreKeptAndReported()
    {
        var a = new TestAnomalies();
        Assert.Equal("a\0b", Parse("Subject: a\0b\r\n"u8, a).Subject);
        Assert.Equal(["header_nul_byte"], a.Names);
    }

    [Fact]
    public void FieldLimitSkipsOtherFieldsOnly()
    {
        var a = new TestAnomalies();
        string block = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: {i}\r\n")) + "Date: today\r\nCc: c@x.example\r\n\r\n";
        var m = Parse(Encoding.ASCII.GetBytes(block), a, new ImfOptions { MaxHeaderFields = 5 });
        Assert.Null(m.Date);
        Assert.Equal("c@x.example", Assert.Single(m.Cc).Address);
        Assert.True(m.EndOfHeaders);
        Assert.Equal(["too_many_header_fields"], a.Names);
    }

    [Fact]
    public void BlockSizeLimit()
    {
        var a = new TestAnomalies();
        string block = "To: a@x.example\r\nX: " + new string('x', 1000) + "\r\nBcc: late@y.example\r\n\r\n";
        var m = Parse(Encoding.ASCII.GetBytes(block), a, new ImfOptions { MaxHeaderBlockBytes = 100 });
        Assert.Equal("a@x.example", Assert.Single(m.To).Address);
        Assert.False(m.HasBcc);
        Assert.Equal(["header_block_too_large"], a.Names);
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
            Assert.DoesNotContain(ImfAnomalies.HeaderParserError, a.Names);
            Assert.True(m.FieldCount <= 8);
        }
        var all = MessageHeaders.Parse(block);
        Assert.Equal(["a@x.example", "b@y.example"], all.To.Select(x => x.Address));
        Assert.Equal("c@z.example", Assert.Single(all.Cc).Address);
        Assert.Equal("e@evil.example", Assert.Single(all.ResentBcc).Address);
    }
}
