using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Anomalies of the <c>imf</c> stage: message header fields and addresses that break RFC 5322.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class ImfAnomalies
{
    /// <summary>A header line that is neither a field (name:value) nor a continuation.</summary>
    public const string HeaderLineWithoutColon = "header_line_without_colon";

    /// <summary>A header block larger than the header size limit without an end; the rest is not parsed.</summary>
    public const string HeaderBlockTooLarge = "header_block_too_large";

    /// <summary>More header fields than the header field limit; later ones are skipped.</summary>
    public const string TooManyHeaderFields = "too_many_header_fields";

    /// <summary>The header parser failed on the block (caught at the stage boundary).</summary>
    public const string HeaderParserError = "header_parser_error";

    /// <summary>A field RFC 5322 3.6 allows once (Sender, Subject, Message-ID, Date, ...) appears again; the first is kept.</summary>
    public const string DuplicateHeaderField = "duplicate_header_field";

    /// <summary>A Sender field with more than one mailbox (RFC 5322 3.6.2).</summary>
    public const string SenderNotSingleMailbox = "sender_not_single_mailbox";

    /// <summary>A NUL byte in a header field value.</summary>
    public const string HeaderNulByte = "header_nul_byte";

    /// <summary>An address field that does not parse as an address list.</summary>
    public const string AddressListInvalid = "address_list_invalid";

    /// <summary>More addresses in a field than the address limit; later ones are dropped.</summary>
    public const string TooManyAddresses = "too_many_addresses";

    /// <summary>An address without @domain.</summary>
    public const string AddressWithoutDomain = "address_without_domain";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Imf, HeaderLineWithoutColon, "A header line that is neither a field (name:value) nor a continuation."),
        new(AnomalyStage.Imf, HeaderBlockTooLarge, "A header block larger than the header size limit without an end; the rest is not parsed."),
        new(AnomalyStage.Imf, TooManyHeaderFields, "More header fields than the header field limit; later ones are skipped."),
        new(AnomalyStage.Imf, HeaderParserError, "The header parser failed on the block (caught at the stage boundary)."),
        new(AnomalyStage.Imf, DuplicateHeaderField, "A field RFC 5322 3.6 allows once (Sender, Subject, Message-ID, Date, ...) appears again; the first is kept."),
        new(AnomalyStage.Imf, SenderNotSingleMailbox, "A Sender field with more than one mailbox (RFC 5322 3.6.2)."),
        new(AnomalyStage.Imf, HeaderNulByte, "A NUL byte in a header field value."),
        new(AnomalyStage.Imf, AddressListInvalid, "An address field that does not parse as an address list."),
        new(AnomalyStage.Imf, TooManyAddresses, "More addresses in a field than the address limit; later ones are dropped."),
        new(AnomalyStage.Imf, AddressWithoutDomain, "An address without @domain."),
    ];
}
