using System.Text;
using McpEgress.Protocols.Imf;
using MimeKit;

namespace McpEgress.Tests.Imf;

/// <summary>
/// <see cref="MimeHeaderBlock"/> reads fields with MimeKit's <see cref="MimeReader"/> (no HeaderList around them); the
/// fields must be exactly those <see cref="MimeParser.ParseHeaders"/> gives for the same bytes, byte for byte, on
/// awkward blocks and on seeded mutations of them (a MimeKit upgrade that made the two differ fails here).
/// </summary>
public sealed class HeaderBlockReaderTests
{
    private static readonly string[] Blocks =
    [
        "From: MCP Agent <mcp@corp.example>\r\nTo: Alice <alice@customer.example>\r\nCc: bob@corp.example\r\nSubject: Invoice 42\r\n\r\nbody\r\n",
        "To: a@x.example\nCc: b@y.example\n\nBcc: body@not.header\n",
        "Subject: folded\r\n  over\r\n\tthree lines\r\nTo: a@x.example\r\n",
        "To : spaced@x.example\r\nX-Empty:\r\nX-Blank: \r\nBcc:\r\n\r\n",
        "To: a@x.example\r\nno colon here\r\nCc: after@junk.example\r\n",
        "To: a@x.example\rCc: bare-cr@x.example\r\n",
        "Subject: caf\u00e9 \u00fc\r\nFrom: J\u00f6rg <j@x.example>\r\n",
        "To: a@x.example\r\nX-Nul: a\0b\r\nCc: c@x.example",
        "To: a@x.example\r\n\r\n",
        "\r\nTo: after-empty@x.example\r\n",
        "To: " + string.Join(", ", Enumerable.Range(0, 400).Select(i => $"user{i}@long.example")) + "\r\nCc: tail@x.example\r\n",
        "X-Long: " + new string('a', 9000) + "\r\nBcc: hidden@x.example\r\n\r\n",
        string.Concat(Enumerable.Range(0, 300).Select(i => $"Received: from hop{i}.example by mx.example; Mon, 1 Jan 2024\r\n")) + "Bcc: deep@x.example\r\n\r\n",
        "From: a@x.example\r\n>From: quoted@x.example\r\nTo: b@x.example\r\n",
        "Content-Type: multipart/mixed; boundary=\"b\"\r\nMIME-Version: 1.0\r\nTo: m@x.example\r\n\r\n--b\r\n",
    ];

    [Fact]
    public void ReaderGivesTheParsersFields()
    {
        foreach (var b in Blocks) AssertSame(Encoding.Latin1.GetBytes(b), b.Length > 60 ? b[..60] : b);
    }

    [Fact]
    public void ReaderGivesTheParsersFieldsOnMutatedBlocks()
    {
        int seed = TestSeed.For(nameof(ReaderGivesTheParsersFieldsOnMutatedBlocks));
        var rng = new Random(seed);
        byte[] alphabet = "\r\n\t :;,<>\"()@\\=?\0\u00ffaZ-"u8.ToArray();
        for (int round = 0; round < 3000; round++)
        {
            var bytes = Encoding.Latin1.GetBytes(Blocks[rng.Next(Blocks.Length)]).ToList();
            for (int edits = rng.Next(1, 6); edits > 0 && bytes.Count > 0; edits--)
            {
                int at = rng.Next(bytes.Count);
                switch (rng.Next(3))
                {
                    case 0: bytes[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    case 1: bytes.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                    default: bytes.RemoveAt(at); break;
                }
            }
            AssertSame(bytes.ToArray(), $"seed {seed} round {round}");
        }
    }

    private static void AssertSame(byte[] block, string what)
    {
        var o = ImfOptions.Default;
        List<Header>? expected;
        try
        {
            var stream = new MemoryStream();
            stream.Write(block);
            if (block.Length == 0 || block[^1] != (byte)'\n') stream.Write("\r\n"u8); // as MimeHeaderBlock does
            stream.Position = 0;
            expected = new MimeParser(o.Parser, stream, MimeFormat.Entity).ParseHeaders().ToList();
        }
        catch (FormatException)
        {
            expected = null;
        }
        // MimeHeaderBlock first skips leading lines that are no field (counted as anomalies); compare from there.
        if (!StartsWithField(block)) return;
        List<Header>? actual;
        try
        {
            actual = MimeHeaderBlock.Parse(block, o, null).ToList();
        }
        catch (FormatException)
        {
            actual = null;
        }
        Assert.True((expected is null) == (actual is null), what);
        if (expected is null) return;
        Assert.True(expected.Count == actual!.Count, $"{what}: {expected.Count} fields, reader {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Field, actual[i].Field);
            Assert.Equal(expected[i].Id, actual[i].Id);
            Assert.Equal(expected[i].RawField, actual[i].RawField);
            Assert.Equal(expected[i].RawValue, actual[i].RawValue);
        }
    }

    private static bool StartsWithField(ReadOnlySpan<byte> block)
    {
        int i = 0;
        while (i < block.Length && block[i] > 0x20 && block[i] < 0x7F && block[i] != (byte)':') i++;
        if (i == 0) return false;
        while (i < block.Length && block[i] is (byte)' ' or (byte)'\t') i++;
        return i < block.Length && block[i] == (byte)':';
    }
}
