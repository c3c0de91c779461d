using System.Buffers.Binary;

namespace McpEgress.Tests.Capture;

/// <summary>Builds pcap / pcapng bytes in either byte order for reader tests.</summary>
internal static class CaptureBytes
{
    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] U16(bool be, int v)
    {
        var b = new byte[2];
        if (be) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        return b;
    }

    public static byte[] U32(bool be, uint v)
    {
        var b = new byte[4];
        if (be) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static byte[] I64(bool be, long v)
    {
        var b = new byte[8];
        if (be) BinaryPrimitives.WriteInt64BigEndian(b, v); else BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return b;
    }

    // pcap file header: magic, version 2.4, thiszone, sigfigs, snaplen, network.
    public static byte[] PcapHeader(bool be, bool nano = false, uint snapLength = 65535, uint linkType = 1) => Concat(
        U32(be, nano ? 0xa1b23c4du : 0xa1b2c3d4u), U16(be, 2), U16(be, 4), U32(be, 0), U32(be, 0), U32(be, snapLength), U32(be, linkType));

    // pcap record header: ts_sec, ts_usec (or ns), incl_len, orig_len; then the data.
    public static byte[] PcapRecord(bool be, uint seconds, uint fraction, byte[] data, uint? origLength = null) => Concat(
        U32(be, seconds), U32(be, fraction), U32(be, (uint)data.Length), U32(be, origLength ?? (uint)data.Length), data);

    /// <summary>A generic block: type, total length, body padded to 4, total length.</summary>
    public static byte[] Block(bool be, uint type, byte[] body)
    {
        int padded = (body.Length + 3) & ~3;
        uint total = (uint)(12 + padded);
        return Concat(U32(be, type), U32(be, total), body, new byte[padded - body.Length], U32(be, total));
    }

    public static byte[] Option(bool be, int code, byte[] value)
    {
        int padded = (value.Length + 3) & ~3;
        return Concat(U16(be, code), U16(be, value.Length), value, new byte[padded - value.Length]);
    }

    public static readonly byte[] EndOfOptions = [0, 0, 0, 0];

    // Section Header Block: BOM 0x1A2B3C4D, version 1.0, section length -1 (unknown).
    public static byte[] Shb(bool be) => Block(be, 0x0A0D0D0A, Concat(U32(be, 0x1A2B3C4D), U16(be, 1), U16(be, 0), I64(be, -1)));

    // Interface Description Block: link type, reserved, snaplen, options (if_tsresol = 9, if_tsoffset = 14).
    public static byte[] Idb(bool be, int linkType = 1, uint snapLength = 0, byte? tsresol = null, long? tsoffset = null)
    {
        var options = new List<byte[]>();
        if (tsresol is { } r) options.Add(Option(be, 9, [r]));
        if (tsoffset is { } o) options.Add(Option(be, 14, I64(be, o)));
        if (options.Count > 0) options.Add(EndOfOptions);
        return Block(be, 1, Concat([U16(be, linkType), U16(be, 0), U32(be, snapLength), .. options]));
    }

    // Enhanced Packet Block: interface id, timestamp high, timestamp low, captured length, original length, data.
    public static byte[] Epb(bool be, uint interfaceId, ulong timestamp, byte[] data, uint? origLength = null) =>
        Block(be, 6, Concat(U32(be, interfaceId), U32(be, (uint)(timestamp >> 32)), U32(be, (uint)timestamp),
            U32(be, (uint)data.Length), U32(be, origLength ?? (uint)data.Length), data));

    // Simple Packet Block: original length, data.
    public static byte[] Spb(bool be, uint origLength, byte[] data) => Block(be, 3, Concat(U32(be, origLength), data));

    // Obsolete Packet Block: interface id (2), drops (2), timestamp high, low, captured length, original length.
    public static byte[] Pb(bool be, ushort interfaceId, ulong timestamp, byte[] data) =>
        Block(be, 2, Concat(U16(be, interfaceId), U16(be, 0), U32(be, (uint)(timestamp >> 32)), U32(be, (uint)timestamp),
            U32(be, (uint)data.Length), U32(be, (uint)data.Length), data));

    // Decryption Secrets Block: secrets type, secrets length, data.
    public static byte[] Dsb(bool be, uint secretsType, byte[] data) =>
        Block(be, 0x0A, Concat(U32(be, secretsType), U32(be, (uint)data.Length), data));
}
