using System.Buffers.Binary;

namespace McpEgress.Capture;

/// <summary>
/// Whether a capture file can still hand TLS secrets to a replay: a classic pcap never can; a pcapng can only through
/// Decryption Secrets Blocks (type 0x0000000A), found by walking the block headers (bodies are skipped with a seek,
/// so a 3 GB file costs a few thousand small reads). Anything unreadable or malformed answers "maybe" (true): the
/// caller then keeps holding ciphertext for keys, as it always did.
/// </summary>
public static class CaptureSecretsProbe
{
    private const uint SectionHeader = CaptureFile.PcapNgSectionHeader;
    private const uint DecryptionSecrets = PcapNgFileReader.DecryptionSecretsBlock;
    private const uint ByteOrderMagic = PcapNgFileReader.ByteOrderMagic;

    private static bool IsPcap(uint magic) =>
        magic is CaptureFile.PcapMagicMicro or CaptureFile.PcapMagicNano or CaptureFile.PcapMagicModified;

    public static bool MayCarrySecrets(string path)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
            Span<byte> head = stackalloc byte[12];
            if (f.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4) return true;
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (IsPcap(magic) || IsPcap(BinaryPrimitives.ReverseEndianness(magic))) return false; // classic pcap, either order
            if (magic != SectionHeader || !f.CanSeek) return true;
            f.Position = 0;
            bool bigEndian = false;
            while (true)
            {
                long at = f.Position;
                int got = f.ReadAtLeast(head, 12, throwOnEndOfStream: false);
                if (got == 0) return false;   // clean end: no secrets block anywhere
                if (got < 8) return true;
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(head); // SHB type is a palindrome
                if (type == SectionHeader)
                {
                    if (got < 12) return true;
                    uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
                    if (bom == ByteOrderMagic) bigEndian = false;
                    else if (BinaryPrimitives.ReverseEndianness(bom) == ByteOrderMagic) bigEndian = true;
                    else return true;
                }
                else if ((bigEndian ? BinaryPrimitives.ReverseEndianness(type) : type) == DecryptionSecrets) return true;
                uint length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
                if (length < 12 || length % 4 != 0) return true;
                f.Position = at + length;
                if (f.Position > f.Length) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
