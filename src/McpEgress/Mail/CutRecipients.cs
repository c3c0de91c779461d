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

    // Created at the first cut recipient: an empty collector (one per parsed header block) costs one small object.
    private Dictionary<string, (long Count, bool MayBeHidden)>? _domains;
    private readonly int _maxDomains;

    public CutRecipients(int maxDomains = DefaultMaxDomains) => _maxDomains = maxDomains;

    /// <summary>The domains of both collectors (either may be null), as a message carries them.</summary>
    public static IReadOnlyList<CutRecipientDomain> Merge(CutRecipients? a, CutRecipients? b) => Combine(a, b)?.ToList() ?? [];

    /// <summary>One collector holding both (either may be null; neither is changed); null when both are empty.</summary>
    public static CutRecipients? Combine(CutRecipients? a, CutRecipients? b)
    {
        if (a is null || a.IsEmpty) return b is { IsEmpty: false } ? b : null;
        if (b is null || b.IsEmpty) return a;
        var all = new CutRecipients();
        all.AddAll(a);
        all.AddAll(b);
        return all;
    }

    /// <summary>The <see cref="MessageTruncation.What"/> text for these: "<paramref name="what"/>; their domains are listed", and how many were past the domain cap.</summary>
    public string Describe(string what, string noun) => DomainsNotKept > 0
        ? $"{what}; their domains are listed up to {MaxDomains} distinct ones ({DomainsNotKept} {noun} beyond)"
        : $"{what}; their domains are listed";

    /// <summary>Folds <paramref name="other"/>'s domains and counts into this one.</summary>
    public void AddAll(CutRecipients? other)
    {
        if (other is null) return;
        Count += other.Count;
        DomainsNotKept += other.DomainsNotKept;
        if (other._domains is null) return;
        foreach (var (domain, (count, hidden)) in other._domains)
        {
            _domains ??= new(StringComparer.OrdinalIgnoreCase);
            if (_domains.TryGetValue(domain, out var e)) _domains[domain] = (e.Count + count, e.MayBeHidden || hidden);
            else if (_domains.Count < _maxDomains) _domains[domain] = (count, hidden);
            else DomainsNotKept += count;
        }
    }

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
        _domains ??= new(StringComparer.OrdinalIgnoreCase);
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
    public IReadOnlyList<CutRecipientDomain> ToList() => _domains is null ? [] :
        _domains.Select(kv => new CutRecipientDomain(new MailAddress("x@" + kv.Key).Domain, kv.Value.Count, kv.Value.MayBeHidden))
            .OrderBy(d => d.Domain, StringComparer.Ordinal).ToArray();
}
