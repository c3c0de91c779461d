namespace McpEgress.Inventory.Advisories;

/// <summary>
/// One OSV record (ossf.github.io/osv-schema): <c>id</c>, <c>summary</c>, <c>withdrawn</c> and what it affects. Records of
/// the OpenSSF malicious-packages repository have ids starting "MAL-".
/// </summary>
public sealed record OsvAdvisory(string Id, string? Summary, string? File, bool Withdrawn, IReadOnlyList<OsvAffected> Affected)
{
    public bool Malicious => Id.StartsWith("MAL-", StringComparison.Ordinal);
}
