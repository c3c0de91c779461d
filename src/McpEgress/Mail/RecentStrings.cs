namespace McpEgress.Mail;

/// <summary>
/// Short strings a parser makes over and over, from a direct-mapped cache (a slot per FNV-1a hash of the text, the
/// newest wins), so a repeated value costs a lookup, not a string. Bounded: a fixed number of slots of strings of at
/// most a fixed length; longer text is always a new string. One instance per thread (not thread-safe).
/// <para>The mail path's instance (<see cref="Get"/>, <see cref="GetAscii"/>) holds a flow's sender, its recipients'
/// addresses and domains, display names; HTTP/1 keeps its own for header names and repeating values
/// (<see cref="Protocols.Http.HeaderStrings"/>), so one never evicts the other.</para>
/// </summary>
internal sealed class RecentStrings
{
    /// <summary>Longest text the mail path's instance keeps.</summary>
    public const int MaxChars = 64;

    [ThreadStatic] private static RecentStrings? t_mail;
    private static RecentStrings Mail => t_mail ??= new RecentStrings(256, MaxChars);

    private readonly string?[] _slots;
    private readonly int _maxChars;

    /// <param name="slots">A power of two.</param>
    public RecentStrings(int slots, int maxChars)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(slots), slots, "must be a power of two");
        _slots = new string?[slots];
        _maxChars = maxChars;
    }

    /// <summary><paramref name="chars"/> as a string, from the thread's mail-path strings.</summary>
    public static string Get(ReadOnlySpan<char> chars) => Mail.Of(chars);

    /// <summary>ASCII bytes as a string, as <see cref="Get"/> (the same slot for the same text).</summary>
    public static string GetAscii(ReadOnlySpan<byte> ascii) => Mail.OfLatin1(ascii);

    /// <summary><paramref name="chars"/> as a string: a cached one with the same content, or a new one (then cached).</summary>
    public string Of(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return string.Empty;
        if (chars.Length > _maxChars) return new string(chars);
        uint hash = 2166136261;
        foreach (char c in chars) hash = (hash ^ c) * 16777619;
        ref var slot = ref _slots[hash & (uint)(_slots.Length - 1)];
        if (slot is { } hit && chars.SequenceEqual(hit)) return hit;
        return slot = new string(chars);
    }

    /// <summary>
    /// Latin-1 bytes (each byte one char; ASCII is Latin-1) as a string, as <see cref="Of"/>: the same hash and slot as
    /// the same text given as chars.
    /// </summary>
    public string OfLatin1(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return string.Empty;
        if (bytes.Length > _maxChars) return System.Text.Encoding.Latin1.GetString(bytes);
        uint hash = 2166136261;
        foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
        ref var slot = ref _slots[hash & (uint)(_slots.Length - 1)];
        if (slot is { } hit && SameLatin1(bytes, hit)) return hit;
        return slot = System.Text.Encoding.Latin1.GetString(bytes);
    }

    private static bool SameLatin1(ReadOnlySpan<byte> bytes, string s)
    {
        if (s.Length != bytes.Length) return false;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] != s[i]) return false;
        return true;
    }
}
