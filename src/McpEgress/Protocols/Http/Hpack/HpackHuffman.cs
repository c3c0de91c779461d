namespace McpEgress.Protocols.Http.Hpack;

/// <summary>
/// Decoder for the HPACK Huffman code (RFC 7541 §5.2, Appendix B). The code is canonical — codes of one length are
/// consecutive and ordered by symbol — so the per-symbol code lengths below are enough to rebuild it.
/// </summary>
internal static class HpackHuffman
{
    /// <summary>Code length in bits of symbols 0..256 (256 = EOS), from RFC 7541 Appendix B.</summary>
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private const int MaxLength = 30;
    public const int Eos = 256;

    // Canonical decoding tables, per code length L: the first code of that length, how many codes have it, and where
    // their symbols start in Symbols (sorted by length, then symbol).
    private static readonly uint[] FirstCode = new uint[MaxLength + 1];
    private static readonly int[] CountByLength = new int[MaxLength + 1];
    private static readonly int[] SymbolOffset = new int[MaxLength + 1];
    private static readonly short[] Symbols = new short[257];

    /// <summary>Code and length per symbol, for tests and encoders.</summary>
    internal static readonly (uint Code, int Length)[] Codes = new (uint, int)[257];

    static HpackHuffman()
    {
        var lengths = CodeLengths;
        int k = 0;
        uint code = 0;
        for (int len = 1; len <= MaxLength; len++)
        {
            code <<= 1;
            FirstCode[len] = code;
            SymbolOffset[len] = k;
            for (int sym = 0; sym < 257; sym++)
            {
                if (lengths[sym] != len)
                    continue;
                Symbols[k++] = (short)sym;
                Codes[sym] = (code, len);
                CountByLength[len]++;
                code++;
            }
        }
    }

    /// <summary>Decodes <paramref name="src"/> into <paramref name="dst"/> (which must hold src.Length * 8 / 5 bytes).
    /// Returns the decoded length, or -1 on invalid input (EOS symbol, padding longer than 7 bits or not all ones).</summary>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        uint code = 0;
        int len = 0;
        int written = 0;
        foreach (byte b in src)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                len++;
                uint delta = code - FirstCode[len];
                if (delta < (uint)CountByLength[len])
                {
                    int sym = Symbols[SymbolOffset[len] + (int)delta];
                    if (sym == Eos)
                        return -1;
                    dst[written++] = (byte)sym;
                    code = 0;
                    len = 0;
                }
                else if (len == MaxLength)
                {
                    return -1;
                }
            }
        }
        // §5.2: padding is the most significant bits of EOS (all ones) and shorter than 8 bits.
        if (len > 7 || code != (1u << len) - 1)
            return -1;
        return written;
    }

    public static int MaxDecodedLength(int encodedLength) => encodedLength * 8 / 5 + 1;
}
