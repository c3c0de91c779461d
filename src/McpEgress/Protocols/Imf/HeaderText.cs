using System.Text;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Turns raw header bytes into text. RFC 6532 allows raw UTF-8 in headers; older clients send raw Latin-1 or
/// windows-1252, so each byte of an invalid UTF-8 sequence becomes the Latin-1 character of the same value
/// (the guess every MUA makes) instead of U+FFFD, which would lose the byte.
/// </summary>
internal static class HeaderText
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return string.Empty;
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        return DecodeMixed(bytes);
    }

    private static string DecodeMixed(ReadOnlySpan<byte> bytes)
    {
        // UTF-16 never needs more code units than UTF-8 has bytes.
        char[]? rented = bytes.Length > 512 ? System.Buffers.ArrayPool<char>.Shared.Rent(bytes.Length) : null;
        Span<char> buf = rented ?? stackalloc char[512];
        int n = 0;
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out int used);
            if (status == System.Buffers.OperationStatus.Done)
            {
                n += rune.EncodeToUtf16(buf[n..]);
                bytes = bytes[used..];
            }
            else
            {
                buf[n++] = (char)bytes[0];
                bytes = bytes[1..];
            }
        }
        var s = new string(buf[..n]);
        if (rented != null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        return s;
    }
}
