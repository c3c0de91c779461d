using System.Text;

namespace McpEgress.Mail;

/// <summary>
/// Short strings the mail path makes over and over (a flow's sender, its recipients' addresses and domains, display
/// names): one per thread and content, from a direct-mapped cache (a slot per hash, the newest wins), so a repeated
/// address costs a lookup, not a string. Bounded: <see cref="Slots"/> strings of at most <see cref="MaxChars"/> per thread.
/// </summary>
internal static class RecentStrings
{
    public const int MaxChars = 64;
    private const int Slots = 256;

    [ThreadStatic] private static string?[]? t_slots;

    /// <summary><paramref name="chars"/> as a string: a cached one with the same content, or a new one (then cached).</summary>
    public static string Get(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return string.Empty;
        if (chars.Length > MaxChars) return new string(chars);
        uint hash = 2166136261;
        foreach (char c in chars) hash = (hash ^ c) * 16777619;
        ref var slot = ref Slot(hash);
        if (slot is { } hit && chars.SequenceEqual(hit)) return hit;
        return slot = new string(chars);
    }

    /// <summary>ASCII bytes as a string, as <see cref="Get(ReadOnlySpan{char})"/> (the same slot for the same text).</summary>
    public static string GetAscii(ReadOnlySpan<byte> ascii)
    {
        if (ascii.IsEmpty) return string.Empty;
        if (ascii.Length > MaxChars) return Encoding.ASCII.GetString(ascii);
        uint hash = 2166136261;
        foreach (byte b in ascii) hash = (hash ^ b) * 16777619;
        ref var slot = ref Slot(hash);
        if (slot is { } hit && Ascii.Equals(ascii, hit)) return hit;
        return slot = Encoding.ASCII.GetString(ascii);
    }

    private static ref string? Slot(uint hash) => ref (t_slots ??= new string?[Slots])[hash % Slots];
}
