using McpEgress.Protocols.Http.Hpack;

namespace McpEgress.Tests.Http;

/// <summary>RFC 7541 Appendix C examples, decoded block by block on one decoder, with the dynamic table checked after each.</summary>
public class HpackDecoderTests
{
    private static HpackDecoder NewDecoder(int tableSize = 4096) => new(64 * 1024, 64 * 1024, 256, tableSize);

    private static List<KeyValuePair<string, string>> Decode(HpackDecoder d, string hex)
    {
        var list = new List<KeyValuePair<string, string>>();
        Assert.Null(d.Decode(Bytes.Hex(hex), list));
        return list;
    }

    private static void AssertFields(List<KeyValuePair<string, string>> actual, params string[] expected) =>
        Assert.Equal(expected, actual.Select(f => f.Key + ": " + f.Value).ToArray());

    private static void AssertTable(HpackDecoder d, int size, params string[] entriesNewestFirst)
    {
        Assert.Equal(size, d.Table.Size);
        Assert.Equal(entriesNewestFirst, Enumerable.Range(1, d.Table.Count).Select(i => d.Table[i].Key + ": " + d.Table[i].Value).ToArray());
    }

    [Theory]
    [InlineData("0a", 5, 10)]       // C.1.1: 10 on a 5-bit prefix
    [InlineData("1f9a0a", 5, 1337)] // C.1.2: 1337 = 31 + 26 + 10*128
    [InlineData("2a", 8, 42)]       // C.1.3: 42 at an octet boundary
    public void C1_Integers(string hex, int prefix, int expected)
    {
        int pos = 0;
        Assert.True(HpackDecoder.TryReadInteger(Bytes.Hex(hex), ref pos, prefix, out int v));
        Assert.Equal(expected, v);
    }

    [Fact]
    public void C2_1_LiteralWithIndexing()
    {
        // 40 | 0a "custom-key" | 0d "custom-header"
        var d = NewDecoder();
        AssertFields(Decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), "custom-key: custom-header");
        AssertTable(d, 55, "custom-key: custom-header");
    }

    [Fact]
    public void C2_2_LiteralWithoutIndexing()
    {
        // 04 (name = static 4 :path) | 0c "/sample/path"
        var d = NewDecoder();
        AssertFields(Decode(d, "040c 2f73 616d 706c 652f 7061 7468"), ":path: /sample/path");
        AssertTable(d, 0);
    }

    [Fact]
    public void C2_3_LiteralNeverIndexed()
    {
        // 10 | 08 "password" | 06 "secret"
        var d = NewDecoder();
        AssertFields(Decode(d, "1008 7061 7373 776f 7264 0673 6563 7265 74"), "password: secret");
        AssertTable(d, 0);
    }

    [Fact]
    public void C2_4_Indexed()
    {
        var d = NewDecoder();
        AssertFields(Decode(d, "82"), ":method: GET");
        AssertTable(d, 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C3_C4_Requests(bool huffman)
    {
        var d = NewDecoder();
        AssertFields(Decode(d, huffman ? "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff" : "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"),
            ":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
        AssertTable(d, 57, ":authority: www.example.com");

        AssertFields(Decode(d, huffman ? "8286 84be 5886 a8eb 1064 9cbf" : "8286 84be 5808 6e6f 2d63 6163 6865"),
            ":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache");
        AssertTable(d, 110, "cache-control: no-cache", ":authority: www.example.com");

        AssertFields(Decode(d, huffman
                ? "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"
                : "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"),
            ":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value");
        AssertTable(d, 164, "custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C5_C6_ResponsesWithEviction(bool huffman)
    {
        // SETTINGS_HEADER_TABLE_SIZE = 256 causes evictions.
        var d = NewDecoder(256);
        AssertFields(Decode(d, huffman
                ? "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"
                : "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"),
            ":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com");
        AssertTable(d, 222, "location: https://www.example.com", "date: Mon, 21 Oct 2013 20:13:21 GMT", "cache-control: private", ":status: 302");

        AssertFields(Decode(d, huffman ? "4883 640e ffc1 c0bf" : "4803 3330 37c1 c0bf"),
            ":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com");
        AssertTable(d, 222, ":status: 307", "location: https://www.example.com", "date: Mon, 21 Oct 2013 20:13:21 GMT", "cache-control: private");

        AssertFields(Decode(d, huffman
                ? "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"
                : "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"),
            ":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT", "location: https://www.example.com",
            "content-encoding: gzip", "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
        AssertTable(d, 215, "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1", "content-encoding: gzip",
            "date: Mon, 21 Oct 2013 20:13:22 GMT");
    }

    [Theory]
    [InlineData("82 20", "size update after a field")]
    [InlineData("3fe2ff03", "size update above our cap (65537)")]
    [InlineData("be", "dynamic index 62 with an empty table")]
    [InlineData("c0", "index 64")]
    [InlineData("80", "index 0")]
    [InlineData("4085 ffffffffff 00", "Huffman string decoding to EOS")]
    [InlineData("4081 00 00", "Huffman padding not all ones")]
    [InlineData("4082 ff ff 00", "Huffman padding longer than 7 bits")]
    [InlineData("400a 6375", "string longer than the block")]
    [InlineData("ff ff ff ff ff ff 01", "integer overflow")]
    public void MalformedBlocksAreErrors(string hex, string why)
    {
        var d = NewDecoder();
        Assert.True(d.Decode(Bytes.Hex(hex), new()) is not null, why);
    }

    [Fact]
    public void SizeUpdateAboveSettingButUnderCapIsFlaggedNotFatal()
    {
        var d = new HpackDecoder(64 * 1024, 64 * 1024, 256) { AllowedTableSize = 4096 };
        var enc = new TestHpackEncoder();
        Assert.Null(d.Decode(enc.SizeUpdate(8192), new()));
        Assert.True(d.SizeUpdateAboveSetting);
        Assert.Equal(8192, d.Table.MaxSize);
    }

    [Fact]
    public void SizeUpdateToZeroEmptiesTable()
    {
        var d = NewDecoder();
        Decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        Assert.Equal(1, d.Table.Count);
        Decode(d, "20 82");
        Assert.Equal(0, d.Table.Count);
    }

    [Fact]
    public void ListOverLimitDropsFieldsButKeepsTableInSync()
    {
        var d = new HpackDecoder(4096, 100, 256);
        var enc = new TestHpackEncoder();
        var fields = new List<KeyValuePair<string, string>>();
        Assert.Null(d.Decode(enc.Encode(("a", new string('x', 60)), ("b", new string('y', 60))), fields));
        Assert.True(d.ListTruncated);
        Assert.Single(fields);
        Assert.Equal(2, d.Table.Count); // both were still inserted
        fields.Clear();
        Assert.Null(d.Decode(enc.Encode(("b", new string('y', 60))), fields)); // indexed reference to entry 62
        Assert.Equal("b", Assert.Single(fields).Key);
    }

    [Fact]
    public void TableRingGrowsAndEvictsInOrder()
    {
        var t = new HpackDynamicTable(4096);
        for (int i = 0; i < 200; i++)
            t.Insert(new("k" + i, "v"));
        Assert.True(t.Size <= 4096);
        Assert.Equal("k199", t[1].Key);
        Assert.Equal("k" + (200 - t.Count), t[t.Count].Key);
        t.Insert(new("big", new string('z', 5000))); // larger than the table: empties it (§4.4)
        Assert.Equal(0, t.Count);
        Assert.Equal(0, t.Size);
    }

    [Fact]
    public void HuffmanRoundTripsEveryByte()
    {
        var enc = new TestHpackEncoder { Huffman = true };
        string all = new(Enumerable.Range(0, 256).Select(i => (char)i).ToArray());
        var d = NewDecoder();
        var list = new List<KeyValuePair<string, string>>();
        Assert.Null(d.Decode(enc.Encode(("x-all", all)), list));
        Assert.Equal(all, list[0].Value);
    }
}
