namespace McpEgress.Decode;

/// <summary>
/// Limits for <see cref="PacketDecoder"/>. The IP fragment table is the only state the decoder keeps; it is bounded
/// by <see cref="MaxFragmentDatagrams"/> x <see cref="MaxDatagramBytes"/> (4 MiB with the defaults).
/// </summary>
public sealed class DecoderOptions
{
    /// <summary>
    /// IPv4 and IPv6 datagrams being reassembled at once. Default 64. When the table is full a fragment of a new
    /// datagram is dropped (anomaly <c>ipv4_fragment_table_full</c> / <c>ipv6_fragment_table_full</c>); datagrams
    /// already in progress are kept, as Linux does when ipfrag_high_thresh is reached.
    /// </summary>
    public int MaxFragmentDatagrams { get; init; } = 64;

    /// <summary>
    /// Largest reassembled payload (bytes after the IPv4 header / after the IPv6 fragment header). Default 65535, the
    /// most an IPv4 total length or IPv6 payload length can describe without jumbograms (RFC 791, RFC 8200 4.5).
    /// </summary>
    public int MaxDatagramBytes { get; init; } = 65535;

    /// <summary>Fragments kept per datagram. Default 128 (64 KiB cut at the IPv6 minimum MTU of 1280 needs 52).</summary>
    public int MaxFragmentsPerDatagram { get; init; } = 128;

    /// <summary>
    /// A datagram still incomplete this long (by packet timestamps) after its first fragment is discarded. Default
    /// 30 s, Linux's ipfrag_time and RFC 8200 4.5's 60 s upper bound.
    /// </summary>
    public TimeSpan FragmentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>802.1Q / 802.1ad tags followed in one Ethernet frame. Default 8.</summary>
    public int MaxVlanTags { get; init; } = 8;

    /// <summary>IPv6 extension headers followed before TCP. Default 16.</summary>
    public int MaxIpv6ExtensionHeaders { get; init; } = 16;

    public static DecoderOptions Default { get; } = new();
}
