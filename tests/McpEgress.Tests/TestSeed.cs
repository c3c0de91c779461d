namespace McpEgress.Tests;

/// <summary>
/// Seeds for randomised tests that are the same in every process (string.GetHashCode is randomised per process, so
/// a failure seeded from it can't be reproduced). <c>MCP_EGRESS_TEST_SEED</c> overrides every seed, to replay a
/// failure or to explore other inputs; failure messages print the seed used.
/// </summary>
internal static class TestSeed
{
    /// <summary>A stable 31-bit seed for <paramref name="name"/> (FNV-1a over its UTF-16 code units).</summary>
    public static int For(string name)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MCP_EGRESS_TEST_SEED"), out int forced)) return forced;
        uint h = 2166136261;
        foreach (char c in name) { h ^= c; h *= 16777619; }
        return (int)(h & 0x7fffffff);
    }
}
