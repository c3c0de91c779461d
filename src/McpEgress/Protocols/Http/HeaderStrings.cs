using System.Text;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Latin-1 strings for HTTP/1 header names and for the values of the few fields that repeat from request to request
/// (Host, Content-Type, User-Agent...), from a small direct-mapped cache per thread (256 slots of at most 48 chars,
/// a slot overwritten on a miss), so a mail-API call does not allocate "Content-Type" and "application/json" again.
/// Values of other fields (credentials among them) never enter it.
/// </summary>
internal static class HeaderStrings
{
    private const int Slots = 256;
    private const int MaxChars = 48;
    [ThreadStatic] private static string?[]? t_slots;

    private static readonly HashSet<string> RepeatingValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-type", "content-length", "content-encoding", "transfer-encoding", "accept", "accept-encoding",
        "accept-language", "connection", "user-agent", "cache-control", "pragma", "te", "expect",
    };

    /// <summary>The field name as sent.</summary>
    public static string Name(ReadOnlySpan<byte> bytes) => Get(bytes);

    /// <summary>The field value as sent; from the cache only for the fields listed above.</summary>
    public static string Value(string name, ReadOnlySpan<byte> bytes) =>
        RepeatingValues.Contains(name) ? Get(bytes) : Encoding.Latin1.GetString(bytes);

    private static string Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return "";
        if (bytes.Length > MaxChars) return Encoding.Latin1.GetString(bytes);
        var slots = t_slots ??= new string?[Slots];
        uint hash = 2166136261; // FNV-1a
        foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
        ref string? slot = ref slots[hash & (Slots - 1)];
        if (slot is { } s && s.Length == bytes.Length && SameLatin1(bytes, s)) return s;
        return slot = Encoding.Latin1.GetString(bytes);
    }

    private static bool SameLatin1(ReadOnlySpan<byte> bytes, string s)
    {
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] != s[i]) return false;
        return true;
    }
}
