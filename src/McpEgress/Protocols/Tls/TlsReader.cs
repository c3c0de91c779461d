namespace McpEgress.Protocols.Tls;

/// <summary>Bounds-checked big-endian reader over a handshake message body. Every read fails softly.</summary>
internal ref struct TlsReader
{
    private ReadOnlySpan<byte> _rest;

    public TlsReader(ReadOnlySpan<byte> data) => _rest = data;

    public readonly bool IsEmpty => _rest.IsEmpty;
    public readonly int Remaining => _rest.Length;

    public bool TryU8(out byte v)
    {
        v = 0;
        if (_rest.Length < 1) return false;
        v = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryU16(out ushort v)
    {
        v = 0;
        if (_rest.Length < 2) return false;
        v = (ushort)((_rest[0] << 8) | _rest[1]);
        _rest = _rest[2..];
        return true;
    }

    public bool TryBytes(int n, out ReadOnlySpan<byte> v)
    {
        v = default;
        if (n < 0 || _rest.Length < n) return false;
        v = _rest[..n];
        _rest = _rest[n..];
        return true;
    }

    /// <summary>opaque x&lt;0..2^8-1&gt;</summary>
    public bool TryVector8(out ReadOnlySpan<byte> v)
    {
        v = default;
        return TryU8(out var n) && TryBytes(n, out v);
    }

    /// <summary>opaque x&lt;0..2^16-1&gt;</summary>
    public bool TryVector16(out ReadOnlySpan<byte> v)
    {
        v = default;
        return TryU16(out var n) && TryBytes(n, out v);
    }
}
