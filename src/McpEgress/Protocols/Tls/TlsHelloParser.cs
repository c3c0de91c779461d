using System.Text;

namespace McpEgress.Protocols.Tls;

/// <summary>Parses hello messages and EncryptedExtensions. Returns false on malformed input, never throws.</summary>
internal static class TlsHelloParser
{
    private const ushort ExtServerName = 0, ExtAlpn = 16, ExtEncryptThenMac = 22, ExtSessionTicket = 35,
        ExtPreSharedKey = 41, ExtEarlyData = 42, ExtSupportedVersions = 43;

    /// <summary>SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3).</summary>
    private static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];

    public static bool TryParseClientHello(ReadOnlySpan<byte> body, out TlsClientHello hello)
    {
        hello = new TlsClientHello();
        var r = new TlsReader(body);
        if (!r.TryU16(out _) || !r.TryBytes(32, out var random) || !r.TryVector8(out var sessionId)
            || !r.TryVector16(out _) || !r.TryVector8(out _))
            return false;
        hello.Random = random.ToArray();
        hello.SessionId = sessionId.ToArray();
        if (r.IsEmpty) return true; // no extensions (old clients)
        if (!r.TryVector16(out var extensions)) return false;
        var e = new TlsReader(extensions);
        while (!e.IsEmpty)
        {
            if (!e.TryU16(out var type) || !e.TryVector16(out var data)) return false;
            switch (type)
            {
                case ExtServerName: hello.ServerName = ParseServerName(data); break;
                case ExtAlpn: ParseAlpnList(data, hello.Alpn); break;
                case ExtEarlyData: hello.EarlyData = true; break;
                case ExtPreSharedKey: hello.PreSharedKey = true; break;
                case ExtSessionTicket: hello.SessionTicket = data.Length > 0; break;
                case ExtEncryptThenMac: hello.EncryptThenMac = true; break;
            }
        }
        return true;
    }

    public static bool TryParseServerHello(ReadOnlySpan<byte> body, out TlsServerHello hello)
    {
        hello = new TlsServerHello();
        var r = new TlsReader(body);
        if (!r.TryU16(out var version) || !r.TryBytes(32, out var random) || !r.TryVector8(out var sessionId)
            || !r.TryU16(out var suite) || !r.TryU8(out _))
            return false;
        hello.LegacyVersion = version;
        hello.Random = random.ToArray();
        hello.SessionId = sessionId.ToArray();
        hello.CipherSuite = suite;
        hello.IsHelloRetryRequest = random.SequenceEqual(HelloRetryRequestRandom);
        if (r.IsEmpty) return true;
        if (!r.TryVector16(out var extensions)) return false;
        var e = new TlsReader(extensions);
        while (!e.IsEmpty)
        {
            if (!e.TryU16(out var type) || !e.TryVector16(out var data)) return false;
            switch (type)
            {
                case ExtSupportedVersions when data.Length == 2: hello.SelectedVersion = (ushort)((data[0] << 8) | data[1]); break;
                case ExtAlpn: hello.Alpn = FirstAlpn(data); break;
                case ExtEncryptThenMac: hello.EncryptThenMac = true; break;
                case ExtPreSharedKey: hello.PreSharedKey = true; break;
            }
        }
        return true;
    }

    /// <summary>EncryptedExtensions (RFC 8446 §4.3.1): selected ALPN and whether 0-RTT data was accepted.</summary>
    public static bool TryParseEncryptedExtensions(ReadOnlySpan<byte> body, out string? alpn, out bool earlyDataAccepted)
    {
        alpn = null;
        earlyDataAccepted = false;
        var r = new TlsReader(body);
        if (!r.TryVector16(out var extensions)) return false;
        var e = new TlsReader(extensions);
        while (!e.IsEmpty)
        {
            if (!e.TryU16(out var type) || !e.TryVector16(out var data)) return false;
            if (type == ExtAlpn) alpn = FirstAlpn(data);
            else if (type == ExtEarlyData) earlyDataAccepted = true;
        }
        return true;
    }

    /// <summary>ServerNameList (RFC 6066 §3): the first host_name entry.</summary>
    private static string? ParseServerName(ReadOnlySpan<byte> data)
    {
        var r = new TlsReader(data);
        if (!r.TryVector16(out var list)) return null;
        var l = new TlsReader(list);
        while (!l.IsEmpty)
        {
            if (!l.TryU8(out var nameType) || !l.TryVector16(out var name)) return null;
            if (nameType == 0) return Printable(name);
        }
        return null;
    }

    /// <summary>ProtocolNameList (RFC 7301 §3.1).</summary>
    private static void ParseAlpnList(ReadOnlySpan<byte> data, List<string> into)
    {
        var r = new TlsReader(data);
        if (!r.TryVector16(out var list)) return;
        var l = new TlsReader(list);
        while (!l.IsEmpty && into.Count < 16)
        {
            if (!l.TryVector8(out var name)) return;
            into.Add(Printable(name));
        }
    }

    private static string? FirstAlpn(ReadOnlySpan<byte> data)
    {
        var names = new List<string>(1);
        ParseAlpnList(data, names);
        return names.Count > 0 ? names[0] : null;
    }

    /// <summary>Host names and protocol ids are ASCII; anything else is escaped so it cannot forge log output.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 255 && bytes.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) < 0)
        {
            // The usual case, nothing to escape: the common protocol ids as constants, anything else copied once.
            if (bytes.SequenceEqual("http/1.1"u8)) return "http/1.1";
            if (bytes.SequenceEqual("h2"u8)) return "h2";
            return Encoding.ASCII.GetString(bytes);
        }
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes[..Math.Min(bytes.Length, 255)])
        {
            if (b is >= 0x21 and < 0x7F) sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2"));
        }
        return sb.ToString();
    }
}
