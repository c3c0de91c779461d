namespace McpEgress.Protocols.Imf;

/// <summary>
/// Limits and leniency for the RFC 5322 / MIME header layer. Every limit is enforced before or while parsing
/// and exceeding one is reported as an anomaly (stage <c>imf</c>), never thrown.
/// </summary>
public sealed class ImfOptions
{
    /// <summary>Shared instance with the defaults below.</summary>
    public static ImfOptions Default { get; } = new();

    /// <summary>
    /// Bytes of a header block that are looked at; the rest is ignored (<c>header_block_too_large</c>).
    /// Default 256 KiB: Postfix's header_size_limit is 100 KiB per header, Exchange caps the block at 256 KiB.
    /// </summary>
    public int MaxHeaderBlockBytes { get; init; } = 256 * 1024;

    /// <summary>Header fields parsed from one block; later ones are ignored (<c>too_many_header_fields</c>). Default 1000.</summary>
    public int MaxHeaderFields { get; init; } = 1000;

    /// <summary>
    /// Addresses kept from one address field (and from all fields of one kind together, e.g. every To field);
    /// later ones are dropped (<c>too_many_addresses</c>). Default 1000, Zeek's recipient cap.
    /// </summary>
    public int MaxAddressesPerField { get; init; } = 1000;

    /// <summary>
    /// Nesting depth of groups and of comments that is accepted without an anomaly (<c>group_too_deep</c>,
    /// <c>comment_too_deep</c>). Parsing is iterative, so depth costs no stack either way. Default 32.
    /// </summary>
    public int MaxNestingDepth { get; init; } = 32;

    /// <summary>
    /// False (default): accept what real clients send, like MimeKit's loose mode: unquoted commas in display
    /// names before an angle-addr (<c>Smith, John &lt;j@x&gt;</c>) and addresses without a domain.
    /// True: split at every unquoted comma and drop addresses without a domain (still reported).
    /// </summary>
    public bool Strict { get; init; }
}
