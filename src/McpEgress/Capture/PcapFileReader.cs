using System.Buffers.Binary;
using McpEgress.Diagnostics;

namespace McpEgress.Capture;

/// <summary>
/// Classic libpcap files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): 24-byte file header,
/// then 16-byte record headers each followed by the captured bytes. Both byte orders; microsecond (0xa1b2c3d4),
/// nanosecond (0xa1b23c4d) and the "modified" 24-byte-record variant (0xa1b2cd34).
/// </summary>
public sealed class PcapFileReader : ICaptureReader
{
    private const int FileHeaderLength = 24;

    private readonly CaptureInput _input;
    private readonly CaptureReaderOptions _options;
    private readonly IAnomalySink? _anomalies;
    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private readonly int _recordHeaderLength;
    private long _records;

    internal PcapFileReader(CaptureInput input, uint magic, bool bigEndian, CaptureReaderOptions options, IAnomalySink? anomalies)
    {
        _input = input;
        _options = options;
        _anomalies = anomalies;
        _bigEndian = bigEndian;
        _nanoseconds = magic == CaptureFile.PcapMagicNano;
        _recordHeaderLength = magic == CaptureFile.PcapMagicModified ? 24 : 16;

        Span<byte> header = stackalloc byte[FileHeaderLength - 4];
        if (_input.Read(header) < header.Length)
            throw new CaptureFormatException("pcap file header is truncated");
        VersionMajor = U16(header[0..]);
        VersionMinor = U16(header[2..]);
        SnapLength = U32(header[12..]);
        // Draft section 4: the low 16 bits are the link type; the upper bits carry FCS information.
        LinkType = (LinkType)(U32(header[16..]) & 0xFFFF);
        if (VersionMajor != 2)
            _anomalies?.Report(AnomalyStage.Capture, CaptureAnomalies.PcapUnexpectedVersion);
    }

    public ushort VersionMajor { get; }
    public ushort VersionMinor { get; }
    public uint SnapLength { get; }
    public LinkType LinkType { get; }
    public bool Nanosecond => _nanoseconds;
    public bool BigEndian => _bigEndian;

    public bool Truncated { get; private set; }
    public string? TruncationReason { get; private set; }
    public long Position => _input.Position;
    public long Length => _input.Length;

    private bool _stopped;

    public bool TryReadPacket(out CapturedPacket packet)
    {
        packet = default;
        if (_stopped) return false;

        Span<byte> rh = stackalloc byte[24];
        rh = rh[.._recordHeaderLength];
        int n = _input.Read(rh);
        if (n == 0) return Stop(null);
        if (n < rh.Length)
            return Stop($"file ends inside the header of record {_records + 1} (offset {_input.Position - n})");

        uint seconds = U32(rh[0..]);
        uint fraction = U32(rh[4..]);
        uint capLength = U32(rh[8..]);
        uint origLength = U32(rh[12..]);

        if (capLength > (uint)_options.MaxRecordBytes)
            return Stop($"record {_records + 1} claims {capLength} captured bytes, more than the limit of {_options.MaxRecordBytes} (corrupt file?)");
        if (SnapLength != 0 && capLength > SnapLength)
            _anomalies?.Report(AnomalyStage.Capture, CaptureAnomalies.PcapCaplenExceedsSnaplen);
        if (origLength < capLength)
        {
            _anomalies?.Report(AnomalyStage.Capture, CaptureAnomalies.PcapOriglenBelowCaplen);
            origLength = capLength;
        }

        int len = (int)capLength;
        byte[] buffer = _input.Buffer(len);
        int got = _input.Read(buffer.AsSpan(0, len));
        if (got < len)
            return Stop($"file ends inside record {_records + 1} ({got} of {len} bytes present)");

        _records++;
        long ns = seconds * 1_000_000_000L + (_nanoseconds ? fraction : fraction * 1000L);
        packet = new CapturedPacket(LinkType, ns, (int)Math.Min(origLength, int.MaxValue), 0, buffer.AsSpan(0, len));
        return true;
    }

    private bool Stop(string? reason)
    {
        _stopped = true;
        if (reason is not null)
        {
            Truncated = true;
            TruncationReason = reason;
            _anomalies?.Report(AnomalyStage.Capture, CaptureAnomalies.CaptureTruncated);
        }
        return false;
    }

    private ushort U16(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    private uint U32(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    public void Dispose() => _input.Dispose();
}
