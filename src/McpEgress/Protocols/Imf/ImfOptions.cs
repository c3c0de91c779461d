using System.Text;
using MimeKit;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Limits and leniency for the RFC 5322 / MIME header layer (parsed by MimeKit). Every limit is enforced before
/// or while parsing and exceeding one is reported as an anomaly (stage <c>imf</c>), never thrown.
/// </summary>
public sealed class ImfOptions
{
    static ImfOptions() => Encoding.RegisterProvider(CachedCodePages.Instance);

    /// <summary>Shared instance with the defaults below.</summary>
    public static ImfOptions Default { get; } = new();

    /// <summary>
    /// Bytes of a header block handed to the parser; the rest is cut off first (<c>header_block_too_large</c>).
    /// Default 256 KiB: Postfix's header_size_limit is 100 KiB per header, Exchange caps the block at 256 KiB.
    /// </summary>
    public int MaxHeaderBlockBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Header fields of one block looked at in order; fields after it are skipped (<c>too_many_header_fields</c>)
    /// except the address and identity fields (From, Sender, Reply-To, To, Cc, Bcc, Resent-*, Subject, Message-ID),
    /// which are always collected wherever they come, so padding (600 Received lines) cannot hide a Cc. Default 1000.
    /// </summary>
    public int MaxHeaderFields { get; init; } = 1000;

    /// <summary>
    /// Addresses kept from one address field (and from all fields of one kind together, e.g. every To field);
    /// later ones are dropped (<c>too_many_addresses</c>). Default 1000, Zeek's recipient cap.
    /// </summary>
    public int MaxAddressesPerField { get; init; } = 1000;

    /// <summary>
    /// Nesting depth of address groups (MimeKit's <see cref="ParserOptions.MaxAddressGroupDepth"/>); RFC 5322 §3.4
    /// allows no nesting at all. A deeper list is reported as <c>address_list_invalid</c>. Default 3, MimeKit's.
    /// </summary>
    public int MaxAddressGroupDepth { get; init; } = 3;

    /// <summary>
    /// False (default): MimeKit's loose mode: unquoted commas in display names before an angle-addr
    /// (<c>Smith, John &lt;j@x&gt;</c>), addresses without a domain, and its other RFC 5322 §4 tolerances.
    /// True: MimeKit's strict RFC compliance, no unquoted commas, no addresses without a domain.
    /// </summary>
    public bool Strict { get; init; }

    private ParserOptions? _parser;

    /// <summary>
    /// The MimeKit parser options these limits give; built once and shared (MimeKit only reads them). Undeclared
    /// 8-bit header bytes are decoded as UTF-8 when valid, else as windows-1252 (<see cref="ParserOptions.CharsetEncoding"/>).
    /// </summary>
    internal ParserOptions Parser => _parser ??= new ParserOptions
    {
        AddressParserComplianceMode = Strict ? RfcComplianceMode.Strict : RfcComplianceMode.Loose,
        AllowUnquotedCommasInAddresses = !Strict,
        AllowAddressesWithoutDomain = !Strict,
        MaxAddressGroupDepth = MaxAddressGroupDepth,
        Rfc2047ComplianceMode = RfcComplianceMode.Loose,
        ParameterComplianceMode = RfcComplianceMode.Loose,
        CharsetEncoding = Encoding.GetEncoding(1252),
    };
}
