namespace McpEgress.Protocols.Tls;

/// <summary>
/// Decrypts the protected records of one direction under one key, keeping that direction's sequence number
/// (RFC 5246 §6.1, RFC 8446 §5.3). The sequence number only advances on a record that authenticates, so a
/// failed trial (TLS 1.3 early data) can be retried under another key.
/// </summary>
internal abstract class TlsRecordProtection : IDisposable
{
    public ulong SequenceNumber { get; internal set; }

    /// <summary>A fixed IV (up to 12 bytes), inline in its record protection rather than an array of its own.</summary>
    [System.Runtime.CompilerServices.InlineArray(12)]
    protected struct FixedIv { private byte _element; }

    /// <summary>
    /// Decrypts and authenticates one record. <paramref name="header"/> is the 5-byte record header,
    /// <paramref name="body"/> the record body; on success the plaintext is written at the start of
    /// <paramref name="plaintext"/> and its content type (the inner type for TLS 1.3) returned.
    /// </summary>
    public abstract bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType);

    public abstract void Dispose();

    /// <summary>TLS 1.2 additional data: seq_num(8) || type(1) || version(2) || length(2) (RFC 5246 §6.2.3.3).</summary>
    protected static void WriteTls12Aad(Span<byte> aad, ulong seq, ReadOnlySpan<byte> header, int length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(aad, seq);
        aad[8] = header[0];
        aad[9] = header[1];
        aad[10] = header[2];
        aad[11] = (byte)(length >> 8);
        aad[12] = (byte)length;
    }

    /// <summary>
    /// Checks a TLS 1.0–1.2 record MAC: HMAC(MAC_write_key, seq_num || type || version || length || data)
    /// (RFC 5246 §6.2.3.1), where length is that of <paramref name="data"/>. Constant-time compare.
    /// </summary>
    protected bool VerifyMac(System.Security.Cryptography.IncrementalHash hmac, ReadOnlySpan<byte> header,
        ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected)
    {
        Span<byte> aad = stackalloc byte[13];
        Span<byte> mac = stackalloc byte[64];
        WriteTls12Aad(aad, SequenceNumber, header, data.Length);
        hmac.AppendData(aad);
        hmac.AppendData(data);
        int n = hmac.GetHashAndReset(mac);
        return expected.Length == n && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(mac[..n], expected);
    }

    /// <summary>Per-record nonce = fixed IV XOR 64-bit sequence number left-padded to the IV length (RFC 8446 §5.3, RFC 7905 §2).</summary>
    protected static void XorNonce(Span<byte> nonce, ReadOnlySpan<byte> iv, ulong seq)
    {
        iv.CopyTo(nonce);
        for (int i = 0; i < 8; i++) nonce[nonce.Length - 1 - i] ^= (byte)(seq >> (8 * i));
    }
}
