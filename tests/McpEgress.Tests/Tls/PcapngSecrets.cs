using System.Buffers.Binary;

namespace McpEgress.Tests.Tls;

/// <summary>
/// Minimal pcapng walker for tests: the TLS key logs of Decryption Secrets Blocks (block type 0x0A, secrets
/// type 0x544c534b "TLSK"). The real pcapng reader lives in McpEgress.Capture; this keeps the TLS tests independent.
/// </summary>
internal static class PcapngSecrets
{
    public static List<byte[]> ReadTlsKeyLogs(string path)
    {
        var result = new List<byte[]>();
        var data = File.ReadAllBytes(path);
        if (data.Length < 12 || BinaryPrimitives.ReadUInt32LittleEndian(data) != 0x0A0D0D0A) return result;
        bool little = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8)) == 0x1A2B3C4D;
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
        int offset = 0;
        while (offset + 12 <= data.Length)
        {
            uint type = U32(offset);
            int length = (int)U32(offset + 4);
            if (length < 12 || offset + length > data.Length) break;
            if (type == 0x0A && length >= 20 && U32(offset + 8) == 0x544C534B)
            {
                int secretsLength = (int)U32(offset + 12);
                if (16 + secretsLength <= length) result.Add(data.AsSpan(offset + 16, secretsLength).ToArray());
            }
            offset += length;
        }
        return result;
    }
}
