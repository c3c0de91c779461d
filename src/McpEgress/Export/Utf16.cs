namespace McpEgress.Export;

/// <summary>
/// Text decoded from traffic can hold lone surrogates, which Utf8JsonWriter refuses to encode (it throws).
/// Replace them with U+FFFD so a hostile subject line cannot stop the exporter.
/// </summary>
internal static class Utf16
{
    public static string Clean(string s)
    {
        int bad = FirstLoneSurrogate(s);
        if (bad < 0) return s;
        var chars = s.ToCharArray();
        for (int i = bad; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    private static int FirstLoneSurrogate(string s)
    {
        int first = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'); // vectorized: most text has no surrogate at all
        if (first < 0) return -1;
        for (int i = first; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return i;
        }
        return -1;
    }
}
