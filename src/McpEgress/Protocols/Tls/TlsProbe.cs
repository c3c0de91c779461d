namespace McpEgress.Protocols.Tls;

/// <summary>Recognises TLS by the shape of the client's first bytes (a ClientHello record), on any port.</summary>
public static class TlsProbe
{
    /// <summary>Bytes after which the probe always answers Match or NoMatch.</summary>
    public const int BytesNeeded = 11;

    public static ProbeResult Probe(ReadOnlySpan<byte> clientFirstBytes)
    {
        var b = clientFirstBytes;
        // TLSPlaintext header (RFC 8446 §5.1): type 22 handshake, legacy_record_version 0x0301..0x0304, length.
        if (b.Length < 1) return ProbeResult.NeedMore;
        if (b[0] != 22) return ProbeResult.NoMatch;
        if (b.Length < 2) return ProbeResult.NeedMore;
        if (b[1] != 3) return ProbeResult.NoMatch;
        if (b.Length < 3) return ProbeResult.NeedMore;
        if (b[2] is < 1 or > 4) return ProbeResult.NoMatch;
        if (b.Length < 5) return ProbeResult.NeedMore;
        int recordLength = (b[3] << 8) | b[4];
        // A ClientHello needs at least 4 + 2 + 32 + 1 + 2 + 2 + 1 + 1 bytes; plaintext records are at most 2^14.
        if (recordLength < 4 || recordLength > 1 << 14) return ProbeResult.NoMatch;
        if (b.Length < 6) return ProbeResult.NeedMore;
        if (b[5] != 1) return ProbeResult.NoMatch; // HandshakeType client_hello
        if (b.Length < 9) return ProbeResult.NeedMore;
        int helloLength = (b[6] << 16) | (b[7] << 8) | b[8];
        // The hello may continue in later records, but must be long enough and not absurd (< 2^16 in practice).
        if (helloLength < 38 || helloLength > 0xFFFF) return ProbeResult.NoMatch;
        if (recordLength > 4 + helloLength) return ProbeResult.NoMatch; // bytes after the hello in its first record
        if (b.Length < 11) return ProbeResult.NeedMore;
        // legacy_version of the hello: 0x0300..0x0303 (TLS 1.3 still says 0x0303).
        if (b[9] != 3 || b[10] > 4) return ProbeResult.NoMatch;
        return ProbeResult.Match;
    }
}
