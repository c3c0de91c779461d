using McpEgress.Diagnostics;

namespace McpEgress.Capture;

/// <summary>Opens a capture file, choosing the reader from the file's magic number.</summary>
public static class CaptureFile
{
    internal const uint PcapMagicMicro = 0xa1b2c3d4;
    internal const uint PcapMagicNano = 0xa1b23c4d;
    internal const uint PcapMagicModified = 0xa1b2cd34; // Alexey Kuznetzov's patched libpcap: 24-byte records
    internal const uint PcapNgSectionHeader = 0x0A0D0D0A;

    /// <summary>
    /// Opens <paramref name="path"/>. Throws <see cref="CaptureFormatException"/> when the file is empty or not a
    /// pcap/pcapng file; <see cref="FileNotFoundException"/> and <see cref="UnauthorizedAccessException"/> propagate.
    /// </summary>
    public static ICaptureReader Open(string path, CaptureReaderOptions? options = null,
        IDecryptionSecretsSink? secrets = null, IAnomalySink? anomalies = null)
    {
        options ??= CaptureReaderOptions.Default;
        // bufferSize 0: the reader puts its own BufferedStream in front, so FileStream need not buffer twice.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.SequentialScan);
        try
        {
            return Open(stream, options, secrets, anomalies);
        }
        catch (CaptureFormatException e)
        {
            stream.Dispose();
            throw new CaptureFormatException($"{path}: {e.Message}");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a capture from <paramref name="stream"/> (owned by the reader from now on and disposed with it, also when
    /// this method throws <see cref="CaptureFormatException"/>). The stream need not be seekable.
    /// </summary>
    public static ICaptureReader Open(Stream stream, CaptureReaderOptions? options = null,
        IDecryptionSecretsSink? secrets = null, IAnomalySink? anomalies = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= CaptureReaderOptions.Default;
        var input = new CaptureInput(stream, options.StreamBufferBytes);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            int n = input.Read(magic);
            if (n == 0)
                throw new CaptureFormatException("empty file, not a pcap or pcapng capture");
            if (n < 4)
                throw new CaptureFormatException($"file too short ({n} bytes) to be a pcap or pcapng capture");

            uint le = (uint)(magic[0] | magic[1] << 8 | magic[2] << 16 | magic[3] << 24);
            uint be = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(le);
            if (le == PcapNgSectionHeader)
                return new PcapNgFileReader(input, options, secrets, anomalies);
            if (le is PcapMagicMicro or PcapMagicNano or PcapMagicModified)
                return new PcapFileReader(input, le, bigEndian: false, options, anomalies);
            if (be is PcapMagicMicro or PcapMagicNano or PcapMagicModified)
                return new PcapFileReader(input, be, bigEndian: true, options, anomalies);
            throw new CaptureFormatException(
                $"not a pcap or pcapng capture (magic 0x{magic[0]:x2}{magic[1]:x2}{magic[2]:x2}{magic[3]:x2})");
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }
}
