using System.Buffers.Binary;
using McpEgress.Diagnostics;

namespace McpEgress.Capture;

/// <summary>
/// pcapng files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html). Every block is
/// type(4) total-length(4) body total-length(4); the length is checked (at least 12, a multiple of 4, within the
/// limits of <see cref="CaptureReaderOptions"/>) before the body is read, and the trailing copy must match.
/// Handled: Section Header (several sections, either byte order, each resetting the interface list), Interface
/// Description (link type, snap length, if_tsresol, if_tsoffset), Enhanced Packet, Simple Packet, the obsolete
/// Packet Block, and Decryption Secrets (handed to <see cref="IDecryptionSecretsSink"/>). Other blocks are skipped.
/// </summary>
public sealed class PcapNgFileReader : ICaptureReader
{
    private const uint SectionHeaderBlock = 0x0A0D0D0A;
    private const uint InterfaceDescriptionBlock = 0x00000001;
    private const uint ObsoletePacketBlock = 0x00000002;
    private const uint SimplePacketBlock = 0x00000003;
    private const uint EnhancedPacketBlock = 0x00000006;
    internal const uint DecryptionSecretsBlock = 0x0000000A;
    internal const uint ByteOrderMagic = 0x1A2B3C4D;

    private const ushort OptEndOfOptions = 0;
    private const ushort OptIfTsResol = 9;
    private const ushort OptIfTsOffset = 14;

    private readonly CaptureInput _input;
    private readonly CaptureReaderOptions _options;
    private readonly IDecryptionSecretsSink? _secrets;
    private readonly IAnomalySink? _anomalies;
    private readonly List<PcapNgInterface> _interfaces = new();
    private bool _bigEndian;
    private bool _stopped;
    private long _lastTimestampNs;
    private int _sections;

    internal PcapNgFileReader(CaptureInput input, CaptureReaderOptions options, IDecryptionSecretsSink? secrets, IAnomalySink? anomalies)
    {
        _input = input;
        _options = options;
        _secrets = secrets;
        _anomalies = anomalies;

        // The block type (magic) was consumed by CaptureFile; the first section header must be well-formed.
        Span<byte> length = stackalloc byte[4];
        if (_input.Read(length) < 4)
            throw new CaptureFormatException("pcapng section header is truncated");
        string? error = ReadSectionHeader(length, _input.Position - 8);
        if (error is not null)
            throw new CaptureFormatException(error);
    }

    /// <summary>Interfaces of the current section, in IDB order (the interface id is the index).</summary>
    public IReadOnlyList<PcapNgInterface> Interfaces => _interfaces;
    /// <summary>Section Header Blocks read so far.</summary>
    public int Sections => _sections;
    /// <summary>Byte order of the current section.</summary>
    public bool BigEndian => _bigEndian;

    public bool Truncated { get; private set; }
    public string? TruncationReason { get; private set; }
    public long Position => _input.Position;
    public long Length => _input.Length;

    public bool TryReadPacket(out CapturedPacket packet)
    {
        packet = default;
        Span<byte> header = stackalloc byte[8];
        Span<byte> trailer = stackalloc byte[4];
        while (!_stopped)
        {
            long blockStart = _input.Position;
            int n = _input.Read(header);
            if (n == 0) return Stop(null);
            if (n < 8) return Stop($"file ends inside a block header at offset {blockStart}");

            uint type = U32(header);
            if (type == SectionHeaderBlock)
            {
                string? error = ReadSectionHeader(header[4..], blockStart);
                if (error is not null) return Stop(error);
                continue;
            }

            uint total = U32(header[4..]);
            if (total < 12 || (total & 3) != 0)
                return Stop($"block at offset {blockStart} has an invalid length {total}", CaptureAnomalies.PcapngBadBlockLength);
            long bodyLength = total - 12L;

            bool isPacket = type is EnhancedPacketBlock or SimplePacketBlock or ObsoletePacketBlock;
            long limit = type == DecryptionSecretsBlock ? _options.MaxSecretsBytes : _options.MaxBlockBytes;
            if (bodyLength > limit)
            {
                if (isPacket)
                    return Stop($"packet block at offset {blockStart} is {total} bytes, more than the limit of {limit} (corrupt file?)", CaptureAnomalies.PcapngBlockTooLarge);
                _anomalies?.Report(AnomalyStage.Capture,
                    type == DecryptionSecretsBlock ? CaptureAnomalies.PcapngSecretsTooLarge : CaptureAnomalies.PcapngBlockTooLarge);
                if (_input.Skip(bodyLength + 4) < bodyLength + 4)
                    return Stop($"file ends inside the block at offset {blockStart}");
                continue;
            }

            bool wanted = isPacket || type == InterfaceDescriptionBlock || (type == DecryptionSecretsBlock && _secrets is not null);
            if (!wanted)
            {
                // Interface statistics, name resolution, custom blocks, secrets nobody asked for: skip by length. The trailer
                // is still checked so that a corrupt length is noticed here rather than as garbage later.
                if (_input.Skip(bodyLength) < bodyLength) return Stop($"file ends inside the block at offset {blockStart}");
                if (_input.Read(trailer) < 4) return Stop($"file ends inside the block at offset {blockStart}");
                if (U32(trailer) != total)
                    return Stop($"block at offset {blockStart}: trailing length {U32(trailer)} differs from {total}", CaptureAnomalies.PcapngBlockLengthMismatch);
                continue;
            }

            int body = (int)bodyLength;
            byte[] buffer = _input.Buffer(body + 4);
            int got = _input.Read(buffer.AsSpan(0, body + 4));
            if (got < body + 4)
                return Stop($"file ends inside the block at offset {blockStart} ({got + 8} of {total} bytes present)");
            uint trailing = U32(buffer.AsSpan(body));
            if (trailing != total)
                return Stop($"block at offset {blockStart}: trailing length {trailing} differs from {total}", CaptureAnomalies.PcapngBlockLengthMismatch);

            ReadOnlySpan<byte> span = buffer.AsSpan(0, body);
            switch (type)
            {
                case InterfaceDescriptionBlock:
                    ReadInterface(span);
                    break;
                case DecryptionSecretsBlock:
                    ReadSecrets(span);
                    break;
                case EnhancedPacketBlock:
                    if (span.Length < 20) { Anomaly(CaptureAnomalies.PcapngPacketBlockTooShort); break; }
                    if (TryMakePacket(span[20..], U32(span), ((ulong)U32(span[4..]) << 32) | U32(span[8..]),
                            U32(span[12..]), U32(span[16..]), blockStart, out packet, out string? stop))
                        return true;
                    if (stop is not null) return Stop(stop);
                    break;
                case ObsoletePacketBlock:
                    if (span.Length < 20) { Anomaly(CaptureAnomalies.PcapngPacketBlockTooShort); break; }
                    if (TryMakePacket(span[20..], U16(span), ((ulong)U32(span[4..]) << 32) | U32(span[8..]),
                            U32(span[12..]), U32(span[16..]), blockStart, out packet, out stop))
                        return true;
                    if (stop is not null) return Stop(stop);
                    break;
                case SimplePacketBlock:
                    if (TryMakeSimplePacket(span, out packet)) return true;
                    break;
            }
        }
        return false;
    }

    private bool TryMakePacket(ReadOnlySpan<byte> data, uint interfaceId, ulong timestamp, uint capLength, uint origLength,
        long blockStart, out CapturedPacket packet, out string? stop)
    {
        packet = default;
        stop = null;
        if (capLength > (uint)_options.MaxRecordBytes)
        {
            stop = $"packet at offset {blockStart} claims {capLength} captured bytes, more than the limit of {_options.MaxRecordBytes}";
            return false;
        }
        if (capLength > (uint)data.Length)
        {
            Anomaly(CaptureAnomalies.PcapngPacketExceedsBlock);
            return false;
        }
        if (interfaceId >= (uint)_interfaces.Count)
        {
            Anomaly(CaptureAnomalies.PcapngUnknownInterface);
            return false;
        }
        var iface = _interfaces[(int)interfaceId];
        if (origLength < capLength)
        {
            Anomaly(CaptureAnomalies.PcapngOriglenBelowCaplen);
            origLength = capLength;
        }
        long ns = iface.ToNanoseconds(timestamp);
        _lastTimestampNs = ns;
        packet = new CapturedPacket(iface.LinkType, ns, (int)Math.Min(origLength, int.MaxValue), (int)interfaceId, data[..(int)capLength]);
        return true;
    }

    // Section 4.4: a Simple Packet Block belongs to interface 0 and has no timestamp or captured length; the data is
    // min(original length, snap length, what the block holds). The timestamp of the previous packet is used so that
    // time-based timeouts downstream keep moving forward.
    private bool TryMakeSimplePacket(ReadOnlySpan<byte> body, out CapturedPacket packet)
    {
        packet = default;
        if (body.Length < 4) { Anomaly(CaptureAnomalies.PcapngPacketBlockTooShort); return false; }
        if (_interfaces.Count == 0) { Anomaly(CaptureAnomalies.PcapngUnknownInterface); return false; }
        var iface = _interfaces[0];
        uint origLength = U32(body);
        long cap = Math.Min(origLength, body.Length - 4);
        if (iface.SnapLength != 0) cap = Math.Min(cap, iface.SnapLength);
        if (cap > _options.MaxRecordBytes) cap = _options.MaxRecordBytes;
        packet = new CapturedPacket(iface.LinkType, _lastTimestampNs, (int)Math.Min(origLength, int.MaxValue), 0, body.Slice(4, (int)cap));
        return true;
    }

    private void ReadInterface(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8) { Anomaly(CaptureAnomalies.PcapngInterfaceBlockTooShort); return; }
        if (_interfaces.Count >= _options.MaxInterfaces) { Anomaly(CaptureAnomalies.PcapngTooManyInterfaces); return; }
        var linkType = (LinkType)U16(body);
        uint snapLength = U32(body[4..]);
        byte resolution = 6;
        long offset = 0;

        var options = body[8..];
        while (options.Length >= 4)
        {
            ushort code = U16(options);
            int length = U16(options[2..]);
            if (code == OptEndOfOptions) break;
            int padded = (length + 3) & ~3;
            if (4 + padded > options.Length) { Anomaly(CaptureAnomalies.PcapngOptionTruncated); break; }
            var value = options.Slice(4, length);
            if (code == OptIfTsResol && length == 1) resolution = value[0];
            else if (code == OptIfTsOffset && length == 8)
                offset = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            options = options[(4 + padded)..];
        }
        if ((resolution & 0x80) == 0 ? resolution > 38 : (resolution & 0x7F) > 127)
            Anomaly(CaptureAnomalies.PcapngBadTsresol);
        _interfaces.Add(new PcapNgInterface(linkType, snapLength, resolution, offset));
    }

    private void ReadSecrets(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8) { Anomaly(CaptureAnomalies.PcapngSecretsBlockTooShort); return; }
        uint secretsType = U32(body);
        uint length = U32(body[4..]);
        if (length > (uint)(body.Length - 8)) { Anomaly(CaptureAnomalies.PcapngSecretsLengthExceedsBlock); return; }
        _secrets?.OnSecrets(secretsType, body.Slice(8, (int)length));
    }

    /// <summary>Reads the rest of a Section Header Block after its type; returns an error message or null.</summary>
    private string? ReadSectionHeader(ReadOnlySpan<byte> lengthBytes, long blockStart)
    {
        Span<byte> bom = stackalloc byte[4];
        if (_input.Read(bom) < 4)
        {
            return $"file ends inside the section header at offset {blockStart}";
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bom) == ByteOrderMagic) _bigEndian = false;
        else if (BinaryPrimitives.ReadUInt32BigEndian(bom) == ByteOrderMagic) _bigEndian = true;
        else return $"section header at offset {blockStart} has a bad byte-order magic";

        uint total = U32(lengthBytes);
        // type, length, BOM, version (4), section length (8), trailing length = 28 bytes minimum.
        if (total < 28 || (total & 3) != 0 || total - 12 > (uint)_options.MaxBlockBytes)
            return $"section header at offset {blockStart} has an invalid length {total}";
        int rest = (int)total - 12; // after type, length and BOM
        byte[] buffer = _input.Buffer(rest);
        if (_input.Read(buffer.AsSpan(0, rest)) < rest)
            return $"file ends inside the section header at offset {blockStart}";
        var span = buffer.AsSpan(0, rest);
        if (U32(span[(rest - 4)..]) != total)
            return $"section header at offset {blockStart}: trailing length differs from {total}";
        ushort major = U16(span);
        if (major != 1)
            return $"section header at offset {blockStart}: unsupported pcapng version {major}.{U16(span[2..])}";

        // Section 4.1: interface ids are local to their section.
        _interfaces.Clear();
        _sections++;
        return null;
    }

    private bool Stop(string? reason, string anomaly = CaptureAnomalies.CaptureTruncated)
    {
        _stopped = true;
        if (reason is not null)
        {
            Truncated = true;
            TruncationReason = reason;
            Anomaly(anomaly);
        }
        return false;
    }

    private void Anomaly(string name) => _anomalies?.Report(AnomalyStage.Capture, name);

    private ushort U16(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    private uint U32(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    public void Dispose() => _input.Dispose();
}
