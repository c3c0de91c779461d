using System.Text;
using McpEgress.Mail;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Latin-1 strings for HTTP/1 header names and for the values of the few fields that repeat from request to request
/// (Host, Content-Type, User-Agent...), from the thread's own <see cref="RecentStrings"/> (256 slots of at most 48
/// chars), so a mail-API call does not allocate "Content-Type" and "application/json" again. Values of other fields
/// (credentials among them) never enter it.
/// </summary>
internal static class HeaderStrings
{
    [ThreadStatic] private static RecentStrings? t_cache;

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

    private static string Get(ReadOnlySpan<byte> bytes) => (t_cache ??= new RecentStrings(256, 48)).OfLatin1(bytes);
}
