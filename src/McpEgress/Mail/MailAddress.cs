namespace McpEgress.Mail;

/// <summary>
/// One mailbox: the addr-spec (local@domain, as written, IDN domains kept in Unicode) and an optional decoded
/// display name. Comparison helpers treat addresses case-insensitively, as every real mail system does.
/// </summary>
public readonly record struct MailAddress(string Address, string? DisplayName = null)
{
    /// <summary>Domain part in lower case, without a trailing dot; empty when the address has no '@'.</summary>
    public string Domain
    {
        get
        {
            int at = Address.LastIndexOf('@');
            return at < 0 ? string.Empty : Address[(at + 1)..].TrimEnd('.').ToLowerInvariant();
        }
    }

    public static readonly StringComparer AddressComparer = StringComparer.OrdinalIgnoreCase;

    public override string ToString() => DisplayName is null ? Address : $"\"{DisplayName}\" <{Address}>";
}
