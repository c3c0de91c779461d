using McpEgress.Diagnostics;

namespace McpEgress.Capture;

/// <summary>
/// Anomalies of the <c>capture</c> stage: pcap and pcapng files that break their format (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class CaptureAnomalies
{
    /// <summary>The capture file ends early or a record is unreadable; reading stops and the packets read so far are kept.</summary>
    public const string CaptureTruncated = "capture_truncated";

    /// <summary>A pcap file header carries a major version other than 2; records are read as version 2.</summary>
    public const string PcapUnexpectedVersion = "pcap_unexpected_version";

    /// <summary>A pcap record captured more bytes than the file's snap length allows.</summary>
    public const string PcapCaplenExceedsSnaplen = "pcap_caplen_exceeds_snaplen";

    /// <summary>A pcap record's original length is smaller than its captured length.</summary>
    public const string PcapOriglenBelowCaplen = "pcap_origlen_below_caplen";

    /// <summary>A pcapng block's total length is below 12 or not a multiple of 4; reading stops.</summary>
    public const string PcapngBadBlockLength = "pcapng_bad_block_length";

    /// <summary>A pcapng block is larger than the block size limit: skipped, or, for a packet block, reading stops.</summary>
    public const string PcapngBlockTooLarge = "pcapng_block_too_large";

    /// <summary>A pcapng Decryption Secrets Block is larger than the secrets size limit; skipped.</summary>
    public const string PcapngSecretsTooLarge = "pcapng_secrets_too_large";

    /// <summary>A pcapng block's trailing length differs from its leading length; reading stops.</summary>
    public const string PcapngBlockLengthMismatch = "pcapng_block_length_mismatch";

    /// <summary>A pcapng packet block is too short for its fixed fields; skipped.</summary>
    public const string PcapngPacketBlockTooShort = "pcapng_packet_block_too_short";

    /// <summary>A pcapng packet's captured length runs past the end of its block; skipped.</summary>
    public const string PcapngPacketExceedsBlock = "pcapng_packet_exceeds_block";

    /// <summary>A pcapng packet names an interface no Interface Description Block declared; skipped.</summary>
    public const string PcapngUnknownInterface = "pcapng_unknown_interface";

    /// <summary>A pcapng packet's original length is smaller than its captured length.</summary>
    public const string PcapngOriglenBelowCaplen = "pcapng_origlen_below_caplen";

    /// <summary>A pcapng Interface Description Block is too short for its fixed fields; ignored.</summary>
    public const string PcapngInterfaceBlockTooShort = "pcapng_interface_block_too_short";

    /// <summary>A pcapng section declares more interfaces than the interface limit; later ones are ignored.</summary>
    public const string PcapngTooManyInterfaces = "pcapng_too_many_interfaces";

    /// <summary>A pcapng option runs past the end of its block; the remaining options are ignored.</summary>
    public const string PcapngOptionTruncated = "pcapng_option_truncated";

    /// <summary>A pcapng if_tsresol option gives a resolution too fine to represent.</summary>
    public const string PcapngBadTsresol = "pcapng_bad_tsresol";

    /// <summary>A pcapng Decryption Secrets Block is too short for its fixed fields; ignored.</summary>
    public const string PcapngSecretsBlockTooShort = "pcapng_secrets_block_too_short";

    /// <summary>A pcapng Decryption Secrets Block's secrets length runs past the end of the block; ignored.</summary>
    public const string PcapngSecretsLengthExceedsBlock = "pcapng_secrets_length_exceeds_block";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Capture, CaptureTruncated, "The capture file ends early or a record is unreadable; reading stops and the packets read so far are kept."),
        new(AnomalyStage.Capture, PcapUnexpectedVersion, "A pcap file header carries a major version other than 2; records are read as version 2."),
        new(AnomalyStage.Capture, PcapCaplenExceedsSnaplen, "A pcap record captured more bytes than the file's snap length allows."),
        new(AnomalyStage.Capture, PcapOriglenBelowCaplen, "A pcap record's original length is smaller than its captured length."),
        new(AnomalyStage.Capture, PcapngBadBlockLength, "A pcapng block's total length is below 12 or not a multiple of 4; reading stops."),
        new(AnomalyStage.Capture, PcapngBlockTooLarge, "A pcapng block is larger than the block size limit: skipped, or, for a packet block, reading stops."),
        new(AnomalyStage.Capture, PcapngSecretsTooLarge, "A pcapng Decryption Secrets Block is larger than the secrets size limit; skipped."),
        new(AnomalyStage.Capture, PcapngBlockLengthMismatch, "A pcapng block's trailing length differs from its leading length; reading stops."),
        new(AnomalyStage.Capture, PcapngPacketBlockTooShort, "A pcapng packet block is too short for its fixed fields; skipped."),
        new(AnomalyStage.Capture, PcapngPacketExceedsBlock, "A pcapng packet's captured length runs past the end of its block; skipped."),
        new(AnomalyStage.Capture, PcapngUnknownInterface, "A pcapng packet names an interface no Interface Description Block declared; skipped."),
        new(AnomalyStage.Capture, PcapngOriglenBelowCaplen, "A pcapng packet's original length is smaller than its captured length."),
        new(AnomalyStage.Capture, PcapngInterfaceBlockTooShort, "A pcapng Interface Description Block is too short for its fixed fields; ignored."),
        new(AnomalyStage.Capture, PcapngTooManyInterfaces, "A pcapng section declares more interfaces than the interface limit; later ones are ignored."),
        new(AnomalyStage.Capture, PcapngOptionTruncated, "A pcapng option runs past the end of its block; the remaining options are ignored."),
        new(AnomalyStage.Capture, PcapngBadTsresol, "A pcapng if_tsresol option gives a resolution too fine to represent."),
        new(AnomalyStage.Capture, PcapngSecretsBlockTooShort, "A pcapng Decryption Secrets Block is too short for its fixed fields; ignored."),
        new(AnomalyStage.Capture, PcapngSecretsLengthExceedsBlock, "A pcapng Decryption Secrets Block's secrets length runs past the end of the block; ignored."),
    ];
}
