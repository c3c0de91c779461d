using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

public class EncodedWordDecoderTests
{
    [Theory]
    // Q: '_' is a space, =XX a byte (RFC 2047 §4.2).
    [InlineData("=?utf-8?Q?J=C3=B6rg_M=C3=BCller?=", "Jörg Müller")]
    [InlineData("=?ISO-8859-1?q?J=F6rg?=", "Jörg")]
    [InlineData("=?windows-1252?Q?=93quoted=94?=", "“quoted”")]
    // B (§4.1), with and without padding.
    [InlineData("=?UTF-8?B?SsO2cmc=?=", "Jörg")]
    [InlineData("=?UTF-8?B?SsO2cmc?=", "Jörg")]
    [InlineData("=?koi8-r?B?6dfBzg==?=", "Иван")]
    [InlineData("=?shift_jis?B?k2OShg==?=", "田中")]
    [InlineData("=?gb2312?B?1cXOsA==?=", "张伟")]
    // Whitespace between adjacent encoded-words is dropped (§6.2); other text is kept.
    [InlineData("=?utf-8?q?a?= =?utf-8?q?b?=", "ab")]
    [InlineData("=?utf-8?q?a?=\t \t=?iso-8859-1?q?b?=", "ab")]
    [InlineData("x =?utf-8?q?a?= y", "x a y")]
    [InlineData("Re: =?utf-8?q?a?= - =?utf-8?q?b?=", "Re: a - b")]
    // A UTF-8 character split across two words survives (bytes are joined before decoding).
    [InlineData("=?utf-8?B?SsO=?= =?utf-8?B?tnJn?=", "Jörg")]
    [InlineData("=?utf-8?Q?J=C3?= =?utf-8?Q?=B6rg?=", "Jörg")]
    // RFC 2231 §5 language suffix.
    [InlineData("=?utf-8*en?q?hello?=", "hello")]
    // Inside a word (loose).
    [InlineData("pre=?utf-8?q?x?=post", "prexpost")]
    // Charset aliases .NET lacks.
    [InlineData("=?utf8?q?=C3=A9?=", "é")]
    [InlineData("=?cp1252?q?=80?=", "€")]
    [InlineData("=?latin1?q?=E9?=", "é")]
    public void Decodes(string input, string expected) => Assert.Equal(expected, EncodedWordDecoder.Decode(input));

    [Theory]
    [InlineData("no encoded words")]
    [InlineData("=?utf-8?q?unterminated")]
    [InlineData("=?utf-8?x?bad-encoding?=")]
    [InlineData("=??q?no-charset?=")]
    [InlineData("=?utf-8?q?has space?=")]
    [InlineData("=?")]
    [InlineData("=?=?=?")]
    public void MalformedWordsAreLeftAsWritten(string input) => Assert.Equal(input, EncodedWordDecoder.Decode(input));

    [Fact]
    public void UnknownCharsetFallsBackToUtf8AndReports()
    {
        var a = new TestAnomalies();
        Assert.Equal("Jörg", EncodedWordDecoder.Decode("=?x-unknown?q?J=C3=B6rg?=", a));
        Assert.Equal(["encoded_word_unknown_charset"], a.Names);
    }

    [Fact]
    public void BadBase64IsReported()
    {
        var a = new TestAnomalies();
        EncodedWordDecoder.Decode("=?utf-8?b?!!!?=", a);
        Assert.Equal(["encoded_word_bad_base64"], a.Names);
    }

    [Fact]
    public void ManyWordsStayLinear()
    {
        string one = "=?utf-8?q?ab?= ";
        string s = string.Concat(Enumerable.Repeat(one, 20_000));
        Assert.Equal(new string('x', 0) + string.Concat(Enumerable.Repeat("ab", 20_000)) + " ", EncodedWordDecoder.Decode(s));
        string junk = string.Concat(Enumerable.Repeat("=?a?q?", 20_000));
        Assert.Equal(junk, EncodedWordDecoder.Decode(junk));
    }
}
