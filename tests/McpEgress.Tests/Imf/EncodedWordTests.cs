using System.Text;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

/// <summary>RFC 2047 encoded-words in unstructured text (Subject), decoded by MimeKit in its loose mode.</summary>
public class EncodedWordTests
{
    private static string? Subject(string value) => MessageHeaders.Parse(Encoding.UTF8.GetBytes("Subject: " + value + "\r\n")).Subject;

    [Theory]
    // Q: '_' is a space, =XX a byte (RFC 2047 §4.2).
    [InlineData("=?utf-8?Q?J=C3=B6rg_M=C3=BCller?=", "Jörg Müller")]
    [InlineData("=?ISO-8859-1?q?J=F6rg?=", "Jörg")]
    [InlineData("=?windows-1252?Q?=93quoted=94?=", "“quoted”")]
    // B (§4.1), with and without padding.
    [InlineData("=?UTF-8?B?SsO2cmc=?=", "Jörg")]
    [InlineData("=?koi8-r?B?6dfBzg==?=", "Иван")]
    [InlineData("=?shift_jis?B?k2OShg==?=", "田中")]
    [InlineData("=?gb2312?B?1cXOsA==?=", "张伟")]
    // Whitespace between adjacent encoded-words is dropped (§6.2); other text is kept.
    [InlineData("=?utf-8?q?a?= =?utf-8?q?b?=", "ab")]
    [InlineData("=?utf-8?q?a?=\t \t=?iso-8859-1?q?b?=", "ab")]
    [InlineData("x =?utf-8?q?a?= y", "x a y")]
    [InlineData("Re: =?utf-8?q?a?= - =?utf-8?q?b?=", "Re: a - b")]
    // A UTF-8 character split across two words survives.
    [InlineData("=?utf-8?B?SsO=?= =?utf-8?B?tnJn?=", "Jörg")]
    [InlineData("=?utf-8?Q?J=C3?= =?utf-8?Q?=B6rg?=", "Jörg")]
    // RFC 2231 §5 language suffix.
    [InlineData("=?utf-8*en?q?hello?=", "hello")]
    // Charset aliases.
    [InlineData("=?utf8?q?=C3=A9?=", "é")]
    [InlineData("=?cp1252?q?=80?=", "€")]
    [InlineData("=?latin1?q?=E9?=", "é")]
    public void Decodes(string input, string expected) => Assert.Equal(expected, Subject(input));

    [Fact]
    public void UnpaddedBase64LosesOnlyItsLastQuantum() =>
        // RFC 2047 §4.1 uses RFC 2045 base64, which is padded; MimeKit decodes the complete 4-character groups.
        Assert.StartsWith("Jö", Subject("=?UTF-8?B?SsO2cmc?="));

    [Theory]
    [InlineData("no encoded words")]
    [InlineData("=?utf-8?q?unterminated")]
    [InlineData("=?utf-8?x?bad-encoding?=")]
    [InlineData("=??q?no-charset?=")]
    [InlineData("=?")]
    [InlineData("=?=?=?")]
    public void MalformedWordsAreLeftAsWritten(string input) => Assert.Equal(input, Subject(input));

    [Fact]
    public void ManyWordsStayLinear()
    {
        // 150 KB in one field: within MaxHeaderBlockBytes (256 KiB).
        string s = string.Concat(Enumerable.Repeat("=?utf-8?q?ab?= ", 10_000)).TrimEnd();
        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 10_000)), Subject(s));
        string junk = string.Concat(Enumerable.Repeat("=?a?q?", 10_000));
        Assert.NotNull(Subject(junk)); // "=?a?q?=?" is a word to MimeKit's loose mode: only bounded time is asserted
    }
}
