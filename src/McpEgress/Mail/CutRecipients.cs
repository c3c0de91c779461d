namespace McpEgress.Mail;

/// <summary>
/// What remains of recipients that a limit did not keep: their domains only (cheap: no address is stored), so the
/// detection rules still see a denied or foreign domain behind the cut. Bounded: at most
/// <see cref="MaxDomains"/> distinct domains are kept; beyond that the recipients are only counted
/// (<see cref="DomainsNotKept"/>), and the message's truncation record says so.
/// </summary>
public sealed class CutRecipients
{
    /// <summary>Distinct domains kept per message (default 10,000: ~40 bytes each while the message is open).</summary>
    public const int DefaultMaxDomains = 10_000;

    private readonly Dictionary<string, (long Count, bool MayBeHidden)> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _maxDomains;

    public CutRecipients(int maxDomains = DefaultMaxDomains) => _maxDomains = maxDomains;

    /// <summary>Recipients added, with or without a domain.</summary>
    public long Count { get; private set; }

    /// <summary>Recipients whose domain was new after <see cref="MaxDomains"/> distinct ones were kept.</summary>
    public long DomainsNotKept { get; private set; }

    public int MaxDomains => _maxDomains;

    public bool IsEmpty => Count == 0;

    /// <summary>Records a cut recipient by its domain (the text after the last '@'; nothing for a bare local part).</summary>
    public void Add(ReadOnlySpan<char> address, bool mayBeHidden)
    {
        Count++;
        int at = address.LastIndexOf('@');
        if (at < 0) return;
        var domain = address[(at + 1)..].Trim().TrimEnd('.').TrimEnd('>');
        if (domain.IsEmpty) return;
        var lookup = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(domain, out var e))
        {
            lookup[domain] = (e.Count + 1, e.MayBeHidden || mayBeHidden);
            return;
        }
        if (_domains.Count >= _maxDomains)
        {
            DomainsNotKept++;
            return;
        }
        _domains[domain.ToString()] = (1, mayBeHidden);
    }

    /// <summary>The kept domains (IDN folded by <see cref="MailAddress.Domain"/>), ordered by name.</summary>
    public IReadOnlyList<CutRecipientDomain> ToList() =>
        _domains.Select(kv => new CutRecipientDomain(new MailAddress("x@" + kv.Key).Domain, kv.Value.Count, kv.Value.MayBeHidden))
            .OrderBy(d => d.Domain, StringComparer.Ordinal).ToArray();
}
