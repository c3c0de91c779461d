namespace McpEgress.Capture;

/// <summary>pcapng timestamp arithmetic (if_tsresol / if_tsoffset, pcapng draft section 4.2).</summary>
internal static class PcapNgTimestamp
{
    private static readonly UInt128[] PowersOf10 = BuildPowersOf10();

    public static long ToNanoseconds(ulong timestamp, byte resolution, long offsetSeconds)
    {
        UInt128 ns;
        int exponent = resolution & 0x7F;
        if ((resolution & 0x80) != 0)
        {
            // 2^-n seconds per unit: ns = ts * 10^9 / 2^n.
            ns = ((UInt128)timestamp * 1_000_000_000UL) >> exponent;
        }
        else if (exponent <= 9)
        {
            ns = (UInt128)timestamp * PowersOf10[9 - exponent];
        }
        else
        {
            int down = exponent - 9;
            ns = down < PowersOf10.Length ? timestamp / PowersOf10[down] : UInt128.Zero;
        }

        Int128 total = (Int128)ns + (Int128)offsetSeconds * 1_000_000_000L;
        if (total > long.MaxValue) return long.MaxValue;
        if (total < long.MinValue) return long.MinValue;
        return (long)total;
    }

    private static UInt128[] BuildPowersOf10()
    {
        var p = new UInt128[39]; // 10^38 is the largest power of ten below 2^128
        p[0] = 1;
        for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }
}
