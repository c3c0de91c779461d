using System.Buffers.Binary;
using McpEgress.Reassembly;

namespace McpEgress.Fuzz;

/// <summary>
/// Splits one fuzz input into the two directions of a connection, cut at arbitrary points. Each chunk is a 2-byte
/// little-endian header — bit 15 the direction (0 client→server, 1 server→client), bits 0–14 the length — then that
/// many bytes (fewer at the end of the input). Length 0 is a gap: the next byte + 1 bytes of that direction were lost.
/// <see cref="Write"/> produces the same format, for seeds.
/// </summary>
internal ref struct StreamChunks(ReadOnlySpan<byte> input)
{
    private ReadOnlySpan<byte> _rest = input;

    public bool TryNext(out FlowDirection direction, out ReadOnlySpan<byte> data, out int gap)
    {
        data = default;
        gap = 0;
        direction = FlowDirection.ClientToServer;
        if (_rest.Length < 2) return false;
        ushort h = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        _rest = _rest[2..];
        direction = (h & 0x8000) != 0 ? FlowDirection.ServerToClient : FlowDirection.ClientToServer;
        int len = h & 0x7fff;
        if (len == 0)
        {
            if (_rest.IsEmpty) return false;
            gap = _rest[0] + 1;
            _rest = _rest[1..];
            return true;
        }
        len = Math.Min(len, _rest.Length);
        data = _rest[..len];
        _rest = _rest[len..];
        return true;
    }

    /// <summary>Appends <paramref name="data"/> as chunks of at most <paramref name="maxChunk"/> bytes.</summary>
    public static void Write(Stream output, FlowDirection direction, ReadOnlySpan<byte> data, int maxChunk = 0x7fff)
    {
        Span<byte> h = stackalloc byte[2];
        while (!data.IsEmpty)
        {
            int n = Math.Min(Math.Min(maxChunk, 0x7fff), data.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)(n | (direction == FlowDirection.ServerToClient ? 0x8000 : 0)));
            output.Write(h);
            output.Write(data[..n]);
            data = data[n..];
        }
    }
}
