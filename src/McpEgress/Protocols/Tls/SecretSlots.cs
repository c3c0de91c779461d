namespace McpEgress.Protocols.Tls;

/// <summary>
/// The secrets of one client random packed in one array, to keep a key log's memory small: a sequence of
/// <c>kind (1 byte), length (1 byte), secret</c>, each kind at most once. A secret is 32..64 bytes.
/// </summary>
internal static class SecretSlots
{
    public static readonly byte[] Empty = [];

    public static ReadOnlySpan<byte> Find(byte[] packed, TlsSecretKind kind) => FindMemory(packed, kind).Span;

    public static ReadOnlyMemory<byte> FindMemory(byte[] packed, TlsSecretKind kind)
    {
        for (int i = 0; i + 2 <= packed.Length; i += 2 + packed[i + 1])
            if (packed[i] == (byte)kind) return packed.AsMemory(i + 2, packed[i + 1]);
        return default;
    }

    /// <summary>A new array with <paramref name="kind"/> set to <paramref name="secret"/> (replacing an older one).</summary>
    public static byte[] With(byte[] packed, TlsSecretKind kind, ReadOnlySpan<byte> secret)
    {
        var old = Find(packed, kind);
        var result = new byte[packed.Length - (old.IsEmpty ? 0 : 2 + old.Length) + 2 + secret.Length];
        int at = 0;
        for (int i = 0; i + 2 <= packed.Length; i += 2 + packed[i + 1])
        {
            if (packed[i] == (byte)kind) continue;
            packed.AsSpan(i, 2 + packed[i + 1]).CopyTo(result.AsSpan(at));
            at += 2 + packed[i + 1];
        }
        result[at] = (byte)kind;
        result[at + 1] = (byte)secret.Length;
        secret.CopyTo(result.AsSpan(at + 2));
        return result;
    }
}
