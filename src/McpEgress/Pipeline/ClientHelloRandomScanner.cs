using System.Buffers.Binary;

namespace McpEgress.Pipeline;

/// <summary>
/// Finds the client randoms of the TLS ClientHellos in a capture file by their byte shape, without decoding a
/// packet: a handshake record (<c>16 03 0x len</c>) whose first message is a ClientHello (<c>01 len24 03 0x</c>),
/// then the 32-byte random (RFC 8446 §4.1.2). Used only to tell which key log entries a replay needs, so a false
/// match costs a few bytes and a miss (a ClientHello cut by a segment boundary inside its first 43 bytes, TLS
/// inside TLS) only loses the protection from eviction, not the decryption when the key log fits.
/// </summary>
public static class ClientHelloRandomScanner
{
    private const int Shape = 11; // record header (5) + handshake header (4) + legacy_version (2)
    private const int Span = Shape + 32;

    /// <summary>Calls <paramref name="found"/> with each random in the file; stops after <paramref name="max"/>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static int Scan(string path, Action<ReadOnlySpan<byte>> found, int max = int.MaxValue)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        int kept = 0, count = 0, n;
        while (count < max && (n = stream.Read(buffer, kept, buffer.Length - kept)) > 0)
        {
            int length = kept + n, i = 0;
            while (count < max)
            {
                int at = buffer.AsSpan(i, Math.Max(0, length - Span + 1 - i)).IndexOf((byte)0x16);
                if (at < 0) { i = Math.Max(i, length - Span + 1); break; }
                i += at;
                if (IsClientHello(buffer.AsSpan(i, Span)))
                {
                    found(buffer.AsSpan(i + Shape, 32));
                    count++;
                    i += Span;
                }
                else i++;
            }
            // Keep the tail that could start a ClientHello cut by the read.
            kept = length - i;
            Buffer.BlockCopy(buffer, i, buffer, 0, kept);
        }
        return count;
    }

    private static bool IsClientHello(ReadOnlySpan<byte> b) =>
        b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04
        && BinaryPrimitives.ReadUInt16BigEndian(b[3..]) >= 4 + 38 // the shortest ClientHello body is 38 bytes
        && b[5] == 0x01
        && (b[6] << 16 | b[7] << 8 | b[8]) >= 38
        && b[9] == 0x03 && b[10] <= 0x04;
}
