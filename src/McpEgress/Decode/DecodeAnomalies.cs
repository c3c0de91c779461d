using McpEgress.Diagnostics;

namespace McpEgress.Decode;

/// <summary>
/// Anomalies of the <c>decode</c> stage: link, IP and TCP headers that are cut or inconsistent, and IP fragments that can't be reassembled.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class DecodeAnomalies
{
    /// <summary>A bug in the decoder, caught at the stage boundary; the packet is dropped.</summary>
    public const string DecodeInternalError = "decode_internal_error";

    /// <summary>The capture's link type is not one the decoder reads; the packet is dropped.</summary>
    public const string UnsupportedLinkType = "unsupported_link_type";

    /// <summary>An Ethernet frame shorter than its 14-byte header.</summary>
    public const string EthernetTooShort = "ethernet_too_short";

    /// <summary>More stacked 802.1Q tags than the VLAN tag limit.</summary>
    public const string EthernetTooManyVlanTags = "ethernet_too_many_vlan_tags";

    /// <summary>An 802.1Q tag cut by the end of the frame.</summary>
    public const string EthernetVlanTagTruncated = "ethernet_vlan_tag_truncated";

    /// <summary>A Linux cooked (SLL) frame shorter than its 16-byte header.</summary>
    public const string SllTooShort = "sll_too_short";

    /// <summary>A Linux cooked v2 (SLL2) frame shorter than its 20-byte header.</summary>
    public const string Sll2TooShort = "sll2_too_short";

    /// <summary>A BSD loopback frame shorter than its 4-byte family field.</summary>
    public const string LoopbackTooShort = "loopback_too_short";

    /// <summary>An empty raw-IP frame.</summary>
    public const string RawTooShort = "raw_too_short";

    /// <summary>A raw-IP frame whose version nibble is neither 4 nor 6.</summary>
    public const string RawBadIpVersion = "raw_bad_ip_version";

    /// <summary>An IPv4 packet shorter than the 20-byte minimum header.</summary>
    public const string Ipv4TooShort = "ipv4_too_short";

    /// <summary>An IPv4 header cut by the capture's snap length.</summary>
    public const string Ipv4HeaderTruncated = "ipv4_header_truncated";

    /// <summary>An IPv4 packet (by EtherType) whose version nibble is not 4.</summary>
    public const string Ipv4BadVersion = "ipv4_bad_version";

    /// <summary>An IPv4 IHL below 5 words or beyond the packet.</summary>
    public const string Ipv4BadHeaderLength = "ipv4_bad_header_length";

    /// <summary>An IPv4 total length of 0 (segmentation offload on the sending host); the captured length is used.</summary>
    public const string Ipv4ZeroTotalLength = "ipv4_zero_total_length";

    /// <summary>An IPv4 total length smaller than its header.</summary>
    public const string Ipv4BadTotalLength = "ipv4_bad_total_length";

    /// <summary>An IPv4 total length beyond the captured bytes, not explained by the snap length.</summary>
    public const string Ipv4TotalLengthExceedsPacket = "ipv4_total_length_exceeds_packet";

    /// <summary>An IPv4 TCP fragment with bytes missing from the capture; not reassembled.</summary>
    public const string Ipv4FragmentTruncated = "ipv4_fragment_truncated";

    /// <summary>An IPv6 packet shorter than the 40-byte fixed header.</summary>
    public const string Ipv6TooShort = "ipv6_too_short";

    /// <summary>An IPv6 header cut by the capture's snap length.</summary>
    public const string Ipv6HeaderTruncated = "ipv6_header_truncated";

    /// <summary>An IPv6 packet (by EtherType) whose version nibble is not 6.</summary>
    public const string Ipv6BadVersion = "ipv6_bad_version";

    /// <summary>An IPv6 payload length of 0 (segmentation offload or a jumbogram); the captured length is used.</summary>
    public const string Ipv6ZeroPayloadLength = "ipv6_zero_payload_length";

    /// <summary>An IPv6 payload length beyond the captured bytes, not explained by the snap length.</summary>
    public const string Ipv6PayloadLengthExceedsPacket = "ipv6_payload_length_exceeds_packet";

    /// <summary>More IPv6 extension headers than the extension header limit.</summary>
    public const string Ipv6TooManyExtHeaders = "ipv6_too_many_ext_headers";

    /// <summary>An IPv6 extension header cut by the end of the packet.</summary>
    public const string Ipv6ExtHeaderTruncated = "ipv6_ext_header_truncated";

    /// <summary>An IPv6 fragment header inside a reassembled fragment (RFC 8200 4.5).</summary>
    public const string Ipv6NestedFragment = "ipv6_nested_fragment";

    /// <summary>An IPv6 TCP fragment with bytes missing from the capture; not reassembled.</summary>
    public const string Ipv6FragmentTruncated = "ipv6_fragment_truncated";

    /// <summary>A TCP segment shorter than the 20-byte minimum header.</summary>
    public const string TcpTooShort = "tcp_too_short";

    /// <summary>A TCP header cut by the capture's snap length.</summary>
    public const string TcpHeaderTruncated = "tcp_header_truncated";

    /// <summary>A TCP data offset below 5 words or beyond the segment.</summary>
    public const string TcpBadDataOffset = "tcp_bad_data_offset";

    /// <summary>A TCP payload cut by the capture's snap length; reassembly sees a gap.</summary>
    public const string PayloadTruncatedBySnaplen = "payload_truncated_by_snaplen";

    /// <summary>An IPv4 fragment other than the last whose length is not a multiple of 8 (RFC 791).</summary>
    public const string Ipv4FragmentBadLength = "ipv4_fragment_bad_length";

    /// <summary>An IPv6 fragment other than the last whose length is not a multiple of 8 (RFC 8200 4.5).</summary>
    public const string Ipv6FragmentBadLength = "ipv6_fragment_bad_length";

    /// <summary>IPv4 fragments that would make a datagram larger than the datagram size limit; dropped.</summary>
    public const string Ipv4FragmentTooLarge = "ipv4_fragment_too_large";

    /// <summary>IPv6 fragments that would make a datagram larger than the datagram size limit; dropped.</summary>
    public const string Ipv6FragmentTooLarge = "ipv6_fragment_too_large";

    /// <summary>No slot left in the IPv4 fragment table; the fragment is dropped.</summary>
    public const string Ipv4FragmentTableFull = "ipv4_fragment_table_full";

    /// <summary>No slot left in the IPv6 fragment table; the fragment is dropped.</summary>
    public const string Ipv6FragmentTableFull = "ipv6_fragment_table_full";

    /// <summary>IPv4 fragments that overlap (a reassembly evasion); the datagram is dropped.</summary>
    public const string Ipv4FragmentOverlap = "ipv4_fragment_overlap";

    /// <summary>IPv6 fragments that overlap (forbidden by RFC 8200 4.5); the datagram is dropped.</summary>
    public const string Ipv6FragmentOverlap = "ipv6_fragment_overlap";

    /// <summary>IPv4 fragments that disagree on where the datagram ends; the datagram is dropped.</summary>
    public const string Ipv4FragmentInconsistentLength = "ipv4_fragment_inconsistent_length";

    /// <summary>IPv6 fragments that disagree on where the datagram ends; the datagram is dropped.</summary>
    public const string Ipv6FragmentInconsistentLength = "ipv6_fragment_inconsistent_length";

    /// <summary>More IPv4 fragments for one datagram than the per-datagram fragment limit; dropped.</summary>
    public const string Ipv4FragmentTooMany = "ipv4_fragment_too_many";

    /// <summary>More IPv6 fragments for one datagram than the per-datagram fragment limit; dropped.</summary>
    public const string Ipv6FragmentTooMany = "ipv6_fragment_too_many";

    /// <summary>An incomplete IPv4 datagram expired from the fragment table.</summary>
    public const string Ipv4FragmentTimeout = "ipv4_fragment_timeout";

    /// <summary>An incomplete IPv6 datagram expired from the fragment table.</summary>
    public const string Ipv6FragmentTimeout = "ipv6_fragment_timeout";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Decode, DecodeInternalError, "A bug in the decoder, caught at the stage boundary; the packet is dropped."),
        new(AnomalyStage.Decode, UnsupportedLinkType, "The capture's link type is not one the decoder reads; the packet is dropped."),
        new(AnomalyStage.Decode, EthernetTooShort, "An Ethernet frame shorter than its 14-byte header."),
        new(AnomalyStage.Decode, EthernetTooManyVlanTags, "More stacked 802.1Q tags than the VLAN tag limit."),
        new(AnomalyStage.Decode, EthernetVlanTagTruncated, "An 802.1Q tag cut by the end of the frame."),
        new(AnomalyStage.Decode, SllTooShort, "A Linux cooked (SLL) frame shorter than its 16-byte header."),
        new(AnomalyStage.Decode, Sll2TooShort, "A Linux cooked v2 (SLL2) frame shorter than its 20-byte header."),
        new(AnomalyStage.Decode, LoopbackTooShort, "A BSD loopback frame shorter than its 4-byte family field."),
        new(AnomalyStage.Decode, RawTooShort, "An empty raw-IP frame."),
        new(AnomalyStage.Decode, RawBadIpVersion, "A raw-IP frame whose version nibble is neither 4 nor 6."),
        new(AnomalyStage.Decode, Ipv4TooShort, "An IPv4 packet shorter than the 20-byte minimum header."),
        new(AnomalyStage.Decode, Ipv4HeaderTruncated, "An IPv4 header cut by the capture's snap length."),
        new(AnomalyStage.Decode, Ipv4BadVersion, "An IPv4 packet (by EtherType) whose version nibble is not 4."),
        new(AnomalyStage.Decode, Ipv4BadHeaderLength, "An IPv4 IHL below 5 words or beyond the packet."),
        new(AnomalyStage.Decode, Ipv4ZeroTotalLength, "An IPv4 total length of 0 (segmentation offload on the sending host); the captured length is used."),
        new(AnomalyStage.Decode, Ipv4BadTotalLength, "An IPv4 total length smaller than its header."),
        new(AnomalyStage.Decode, Ipv4TotalLengthExceedsPacket, "An IPv4 total length beyond the captured bytes, not explained by the snap length."),
        new(AnomalyStage.Decode, Ipv4FragmentTruncated, "An IPv4 TCP fragment with bytes missing from the capture; not reassembled."),
        new(AnomalyStage.Decode, Ipv6TooShort, "An IPv6 packet shorter than the 40-byte fixed header."),
        new(AnomalyStage.Decode, Ipv6HeaderTruncated, "An IPv6 header cut by the capture's snap length."),
        new(AnomalyStage.Decode, Ipv6BadVersion, "An IPv6 packet (by EtherType) whose version nibble is not 6."),
        new(AnomalyStage.Decode, Ipv6ZeroPayloadLength, "An IPv6 payload length of 0 (segmentation offload or a jumbogram); the captured length is used."),
        new(AnomalyStage.Decode, Ipv6PayloadLengthExceedsPacket, "An IPv6 payload length beyond the captured bytes, not explained by the snap length."),
        new(AnomalyStage.Decode, Ipv6TooManyExtHeaders, "More IPv6 extension headers than the extension header limit."),
        new(AnomalyStage.Decode, Ipv6ExtHeaderTruncated, "An IPv6 extension header cut by the end of the packet."),
        new(AnomalyStage.Decode, Ipv6NestedFragment, "An IPv6 fragment header inside a reassembled fragment (RFC 8200 4.5)."),
        new(AnomalyStage.Decode, Ipv6FragmentTruncated, "An IPv6 TCP fragment with bytes missing from the capture; not reassembled."),
        new(AnomalyStage.Decode, TcpTooShort, "A TCP segment shorter than the 20-byte minimum header."),
        new(AnomalyStage.Decode, TcpHeaderTruncated, "A TCP header cut by the capture's snap length."),
        new(AnomalyStage.Decode, TcpBadDataOffset, "A TCP data offset below 5 words or beyond the segment."),
        new(AnomalyStage.Decode, PayloadTruncatedBySnaplen, "A TCP payload cut by the capture's snap length; reassembly sees a gap."),
        new(AnomalyStage.Decode, Ipv4FragmentBadLength, "An IPv4 fragment other than the last whose length is not a multiple of 8 (RFC 791)."),
        new(AnomalyStage.Decode, Ipv6FragmentBadLength, "An IPv6 fragment other than the last whose length is not a multiple of 8 (RFC 8200 4.5)."),
        new(AnomalyStage.Decode, Ipv4FragmentTooLarge, "IPv4 fragments that would make a datagram larger than the datagram size limit; dropped."),
        new(AnomalyStage.Decode, Ipv6FragmentTooLarge, "IPv6 fragments that would make a datagram larger than the datagram size limit; dropped."),
        new(AnomalyStage.Decode, Ipv4FragmentTableFull, "No slot left in the IPv4 fragment table; the fragment is dropped."),
        new(AnomalyStage.Decode, Ipv6FragmentTableFull, "No slot left in the IPv6 fragment table; the fragment is dropped."),
        new(AnomalyStage.Decode, Ipv4FragmentOverlap, "IPv4 fragments that overlap (a reassembly evasion); the datagram is dropped."),
        new(AnomalyStage.Decode, Ipv6FragmentOverlap, "IPv6 fragments that overlap (forbidden by RFC 8200 4.5); the datagram is dropped."),
        new(AnomalyStage.Decode, Ipv4FragmentInconsistentLength, "IPv4 fragments that disagree on where the datagram ends; the datagram is dropped."),
        new(AnomalyStage.Decode, Ipv6FragmentInconsistentLength, "IPv6 fragments that disagree on where the datagram ends; the datagram is dropped."),
        new(AnomalyStage.Decode, Ipv4FragmentTooMany, "More IPv4 fragments for one datagram than the per-datagram fragment limit; dropped."),
        new(AnomalyStage.Decode, Ipv6FragmentTooMany, "More IPv6 fragments for one datagram than the per-datagram fragment limit; dropped."),
        new(AnomalyStage.Decode, Ipv4FragmentTimeout, "An incomplete IPv4 datagram expired from the fragment table."),
        new(AnomalyStage.Decode, Ipv6FragmentTimeout, "An incomplete IPv6 datagram expired from the fragment table."),
    ];
}
