namespace McpEgress.Protocols.MailApis;

/// <summary>
/// One mail API, described once: its id (<see cref="Mail.MailMessage.Provider"/> and the metrics label), the host names
/// it answers on (exact, or a suffix for tenant/region hosts, or a rule), which paths on a shared host are its own, and
/// the extractor that reads its requests. <see cref="MailApiProviders.All"/> registers every one; host lookup, the
/// extractor dispatch and the metrics label list all come from there, so adding a provider is adding a descriptor.
/// </summary>
internal sealed class MailApiProvider
{
    public required string Id { get; init; }
    /// <summary>Host names matched exactly (lower case).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>Host suffixes, with their leading dot (".api.mailgun.net" matches storage-us-east4.api.mailgun.net).</summary>
    public IReadOnlyList<string> HostSuffixes { get; init; } = [];
    /// <summary>A host rule for what lists can't say (SES regions); null when none.</summary>
    public Func<string, bool>? HostRule { get; init; }
    /// <summary>For a host other services share: whether a request's path segments are this provider's; null: every path.</summary>
    public Func<string, string[], bool>? OwnsPath { get; init; }
    /// <summary>Reads one request into messages (or marks it unreadable).</summary>
    public required Action<MailApiCall> Extract { get; init; }

    internal bool MatchesHost(string host)
    {
        foreach (var h in Hosts)
            if (h == host) return true;
        foreach (var s in HostSuffixes)
            if (host.Length > s.Length && host.EndsWith(s, StringComparison.Ordinal)) return true;
        return HostRule?.Invoke(host) == true;
    }
}
