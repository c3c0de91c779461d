using System.Buffers.Binary;
using McpEgress.Capture;
using McpEgress.Diagnostics;

namespace McpEgress.Decode;

/// <summary>
/// Decodes one captured frame down to its TCP segment: link layer (Ethernet with any number of 802.1Q/802.1ad tags
/// up to a limit, Linux SLL and SLL2, BSD Null and Loop, Raw/IPv4/IPv6), IPv4 (options skipped, padding trimmed,
/// fragments reassembled), IPv6 (extension headers, fragments reassembled), TCP (options skipped). Checksums are not
/// verified: captures taken on the sending host see checksum offload's zeros.
/// <para>
/// Snap-length cuts: when the IP length says the segment is longer than what was captured, the segment is still
/// returned with the captured part of the payload, <see cref="TruncatedPayloadBytes"/> says how many payload bytes
/// are missing after it, and <c>payload_truncated_by_snaplen</c> is reported. The reassembler must treat those bytes
/// as a gap; the sequence numbers of later segments stay right.
/// </para>
/// <para>
/// Fragments (IPv4 and IPv6) are reassembled in a table bounded by <see cref="DecoderOptions"/>. Overlap policy: an
/// exact duplicate fragment is ignored; any other overlap discards the whole datagram (<c>ipv4_fragment_overlap</c>,
/// <c>ipv6_fragment_overlap</c>), as Linux does and RFC 5722 requires for IPv6, so the monitor never reads bytes the
/// receiver refused. Non-TCP fragments are not stored.
/// </para>
/// Not thread-safe; one decoder per capture. Nothing is allocated per packet.
/// </summary>
public sealed class PacketDecoder
{
    private const byte ProtocolTcp = 6;

    private readonly DecoderOptions _options;
    private readonly IAnomalySink _anomalies;
    private readonly FragmentTable _fragments;

    public PacketDecoder(DecoderOptions options, IAnomalySink anomalies)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _anomalies = anomalies ?? throw new ArgumentNullException(nameof(anomalies));
        _fragments = new FragmentTable(options, anomalies);
    }

    /// <summary>
    /// Payload bytes of the last decoded segment that the IP length announces but the capture does not hold (snap
    /// length cut). 0 when the payload is complete. They follow <see cref="TcpSegment.Payload"/> in sequence space.
    /// </summary>
    public int TruncatedPayloadBytes { get; private set; }

    public long TcpSegments { get; private set; }
    public long NotTcpPackets { get; private set; }
    public long MalformedPackets { get; private set; }
    public long UnsupportedLinkTypePackets { get; private set; }
    /// <summary>Fragments stored (or ignored as exact duplicates) while their datagram was incomplete.</summary>
    public long FragmentsHeld { get; private set; }
    public long DatagramsReassembled { get; private set; }
    /// <summary>Datagrams currently waiting for fragments.</summary>
    public int FragmentDatagramsInProgress => _fragments.InProgress;

    /// <summary>
    /// Decodes <paramref name="packet"/>. On <see cref="DecodeResult.Tcp"/> the segment views the packet's buffer or
    /// the decoder's reassembly buffer and is valid until the next call. Never throws for bad input.
    /// </summary>
    public DecodeResult Decode(in CapturedPacket packet, out TcpSegment segment)
    {
        segment = default;
        TruncatedPayloadBytes = 0;
        _fragments.ReleaseCompleted();
        DecodeResult result;
        try
        {
            result = DecodeLink(packet, out segment);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException)
        {
            // Every length is checked before it is used; this is a safety net so a decoder bug costs one packet.
            segment = default;
            TruncatedPayloadBytes = 0;
            result = Malformed(DecodeAnomalies.DecodeInternalError);
        }

        switch (result)
        {
            case DecodeResult.Tcp: TcpSegments++; break;
            case DecodeResult.NotTcp: NotTcpPackets++; break;
            case DecodeResult.FragmentHeld: FragmentsHeld++; break;
            case DecodeResult.Malformed: MalformedPackets++; break;
            case DecodeResult.UnsupportedLinkType: UnsupportedLinkTypePackets++; break;
        }
        return result;
    }

    private DecodeResult DecodeLink(in CapturedPacket packet, out TcpSegment segment)
    {
        segment = default;
        ReadOnlySpan<byte> d = packet.Data;
        bool snapCut = packet.OriginalLength > d.Length;
        long ts = packet.TimestampNs;
        if (LinkLayer.Strip(packet.LinkType, ref d, _options.MaxVlanTags, out ushort etherType) is { } problem)
        {
            if (problem != DecodeAnomalies.UnsupportedLinkType) return Malformed(problem);
            _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.UnsupportedLinkType);
            return DecodeResult.UnsupportedLinkType;
        }

        return etherType switch
        {
            LinkLayer.EtherTypeIpv4 => DecodeIpv4(d, snapCut, ts, out segment),
            LinkLayer.EtherTypeIpv6 => DecodeIpv6(d, snapCut, ts, out segment),
            _ => DecodeResult.NotTcp, // ARP, LLDP, 802.3 length field, other families...
        };
    }

    // RFC 791 section 3.1.
    private DecodeResult DecodeIpv4(ReadOnlySpan<byte> d, bool snapCut, long ts, out TcpSegment segment)
    {
        segment = default;
        if (d.Length < 20) return Malformed(snapCut ? DecodeAnomalies.Ipv4HeaderTruncated : DecodeAnomalies.Ipv4TooShort);
        if (d[0] >> 4 != 4) return Malformed(DecodeAnomalies.Ipv4BadVersion);
        int headerLength = (d[0] & 0x0F) * 4;
        if (headerLength < 20) return Malformed(DecodeAnomalies.Ipv4BadHeaderLength);
        if (headerLength > d.Length) return Malformed(snapCut ? DecodeAnomalies.Ipv4HeaderTruncated : DecodeAnomalies.Ipv4BadHeaderLength);

        int total = BinaryPrimitives.ReadUInt16BigEndian(d[2..]);
        int missing = 0;
        if (total == 0)
        {
            // Segmentation offload: the sending host's capture sees the super-packet before the NIC fills the length.
            _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.Ipv4ZeroTotalLength);
            total = d.Length;
        }
        else if (total < headerLength)
        {
            return Malformed(DecodeAnomalies.Ipv4BadTotalLength);
        }
        else if (total > d.Length)
        {
            missing = total - d.Length;
            if (!snapCut) _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.Ipv4TotalLengthExceedsPacket);
            total = d.Length;
        }
        d = d[..total]; // drops Ethernet padding after short datagrams

        byte protocol = d[9];
        var source = IpAddress16.FromV4(d[12..]);
        var destination = IpAddress16.FromV4(d[16..]);
        int flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(d[6..]);
        bool more = (flagsAndOffset & 0x2000) != 0;
        int fragmentOffset = (flagsAndOffset & 0x1FFF) * 8;

        if (more || fragmentOffset != 0)
        {
            if (protocol != ProtocolTcp) return DecodeResult.NotTcp; // not worth a slot in the table
            if (missing > 0) return Malformed(DecodeAnomalies.Ipv4FragmentTruncated);
            var key = new FragmentKey(source, destination, BinaryPrimitives.ReadUInt16BigEndian(d[4..]), protocol, false);
            var outcome = _fragments.Add(key, fragmentOffset, more, d[headerLength..], protocol, ts, out var datagram, out _);
            if (outcome == FragmentOutcome.Held) return DecodeResult.FragmentHeld;
            if (outcome == FragmentOutcome.Dropped) return DecodeResult.Malformed;
            DatagramsReassembled++;
            return DecodeTcp(datagram, 0, false, source, destination, ts, out segment);
        }

        if (protocol != ProtocolTcp) return DecodeResult.NotTcp;
        return DecodeTcp(d[headerLength..], missing, snapCut, source, destination, ts, out segment);
    }

    // RFC 8200 section 3.
    private DecodeResult DecodeIpv6(ReadOnlySpan<byte> d, bool snapCut, long ts, out TcpSegment segment)
    {
        segment = default;
        if (d.Length < 40) return Malformed(snapCut ? DecodeAnomalies.Ipv6HeaderTruncated : DecodeAnomalies.Ipv6TooShort);
        if (d[0] >> 4 != 6) return Malformed(DecodeAnomalies.Ipv6BadVersion);
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(d[4..]);
        byte next = d[6];
        int missing = 0;
        if (payloadLength == 0 && next != 59)
        {
            // Segmentation offload (or a jumbogram, RFC 2675, which is not followed further).
            _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.Ipv6ZeroPayloadLength);
            payloadLength = d.Length - 40;
        }
        else if (40 + payloadLength > d.Length)
        {
            missing = 40 + payloadLength - d.Length;
            if (!snapCut) _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.Ipv6PayloadLengthExceedsPacket);
            payloadLength = d.Length - 40;
        }
        var source = IpAddress16.FromV6(d[8..]);
        var destination = IpAddress16.FromV6(d[24..]);
        return DecodeIpv6Payload(d.Slice(40, payloadLength), next, missing, snapCut, true, source, destination, ts, out segment);
    }

    private DecodeResult DecodeIpv6Payload(ReadOnlySpan<byte> p, byte next, int missing, bool snapCut, bool allowFragment,
        IpAddress16 source, IpAddress16 destination, long ts, out TcpSegment segment)
    {
        segment = default;
        for (int headers = 0; ; headers++)
        {
            if (headers > _options.MaxIpv6ExtensionHeaders) return Malformed(DecodeAnomalies.Ipv6TooManyExtHeaders);
            int length;
            switch (next)
            {
                case ProtocolTcp:
                    return DecodeTcp(p, missing, snapCut, source, destination, ts, out segment);
                case 0:   // hop-by-hop options (RFC 8200 4.3)
                case 43:  // routing (4.4)
                case 60:  // destination options (4.6)
                case 135: // mobility (RFC 6275)
                case 139: // HIP (RFC 7401)
                case 140: // shim6 (RFC 5533)
                    if (p.Length < 2) return Malformed(DecodeAnomalies.Ipv6ExtHeaderTruncated);
                    length = (p[1] + 1) * 8;
                    break;
                case 51: // authentication header (RFC 4302 2.2): length in 4-octet units minus 2
                    if (p.Length < 2) return Malformed(DecodeAnomalies.Ipv6ExtHeaderTruncated);
                    length = (p[1] + 2) * 4;
                    break;
                case 44: // fragment (RFC 8200 4.5)
                {
                    if (p.Length < 8) return Malformed(DecodeAnomalies.Ipv6ExtHeaderTruncated);
                    byte fragmentNext = p[0];
                    int offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
                    int offset = offsetAndFlags & 0xFFF8;
                    bool more = (offsetAndFlags & 1) != 0;
                    if (offset == 0 && !more)
                    {
                        // Atomic fragment (RFC 6946): not part of any reassembly.
                        next = fragmentNext;
                        p = p[8..];
                        continue;
                    }
                    if (!allowFragment) return Malformed(DecodeAnomalies.Ipv6NestedFragment);
                    // Only the offset-zero fragment's next header counts (RFC 8200 4.5); an obviously non-TCP
                    // upper layer in any fragment is taken at its word so UDP floods don't fill the table.
                    if (fragmentNext != ProtocolTcp && !IsIpv6ExtensionHeader(fragmentNext)) return DecodeResult.NotTcp;
                    if (missing > 0) return Malformed(DecodeAnomalies.Ipv6FragmentTruncated);
                    var key = new FragmentKey(source, destination, BinaryPrimitives.ReadUInt32BigEndian(p[4..]), 0, true);
                    var outcome = _fragments.Add(key, offset, more, p[8..], fragmentNext, ts, out var datagram, out byte first);
                    if (outcome == FragmentOutcome.Held) return DecodeResult.FragmentHeld;
                    if (outcome == FragmentOutcome.Dropped) return DecodeResult.Malformed;
                    DatagramsReassembled++;
                    return DecodeIpv6Payload(datagram, first, 0, false, false, source, destination, ts, out segment);
                }
                default: // ESP (50), no next header (59), UDP, ICMPv6, ...
                    return DecodeResult.NotTcp;
            }
            if (length > p.Length) return Malformed(DecodeAnomalies.Ipv6ExtHeaderTruncated);
            next = p[0];
            p = p[length..];
        }
    }

    private static bool IsIpv6ExtensionHeader(byte next) => next is 0 or 43 or 44 or 51 or 60 or 135 or 139 or 140;

    // RFC 9293 section 3.1.
    private DecodeResult DecodeTcp(ReadOnlySpan<byte> t, int missing, bool snapCut, IpAddress16 source, IpAddress16 destination,
        long ts, out TcpSegment segment)
    {
        segment = default;
        if (t.Length < 20) return Malformed(missing > 0 ? DecodeAnomalies.TcpHeaderTruncated : DecodeAnomalies.TcpTooShort);
        int dataOffset = (t[12] >> 4) * 4;
        if (dataOffset < 20) return Malformed(DecodeAnomalies.TcpBadDataOffset);
        if (dataOffset > t.Length) return Malformed(missing > 0 ? DecodeAnomalies.TcpHeaderTruncated : DecodeAnomalies.TcpBadDataOffset);

        if (missing > 0)
        {
            TruncatedPayloadBytes = missing;
            if (snapCut) _anomalies.Report(AnomalyStage.Decode, DecodeAnomalies.PayloadTruncatedBySnaplen);
        }
        segment = new TcpSegment(
            new Endpoint(source, BinaryPrimitives.ReadUInt16BigEndian(t)),
            new Endpoint(destination, BinaryPrimitives.ReadUInt16BigEndian(t[2..])),
            BinaryPrimitives.ReadUInt32BigEndian(t[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(t[8..]),
            (TcpFlags)t[13],
            BinaryPrimitives.ReadUInt16BigEndian(t[14..]),
            ts,
            t[dataOffset..]);
        return DecodeResult.Tcp;
    }

    private DecodeResult Malformed(string name)
    {
        _anomalies.Report(AnomalyStage.Decode, name);
        return DecodeResult.Malformed;
    }
}
