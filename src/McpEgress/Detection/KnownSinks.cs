namespace McpEgress.Detection;

/// <summary>
/// Well-known CRM-logging and archiving Bcc domains: businesses copy sales mail to these on purpose. A hidden recipient
/// here is reported (<see cref="Mail.HiddenRecipient.KnownSink"/>, exported as <c>known_sink</c>) and raises nothing
/// above medium: <c>hidden-foreign-domain</c>, <c>hidden-sink</c> and <c>new-hidden-domain</c> skip it. It is still
/// <c>behaviour-change</c> when a package starts copying to it after an upgrade: an attacker can open a CRM account too.
/// Matched like <c>allowed_hidden_domains</c> (<see cref="DomainPattern"/>). Only vendors whose own documentation
/// describes the address are listed; each entry cites it. A config extends the list (<c>detection.known_sinks.extra</c>)
/// or switches entries off by vendor or domain (<c>detection.known_sinks.disabled</c>): <see cref="Effective"/>.
/// </summary>
public static class KnownSinks
{
    public static IReadOnlyList<KnownSink> BuiltIn { get; } =
    [
        // HubSpot "Log email in your CRM with the BCC or forwarding address": the BCC address copied from
        // Settings > Objects > Activities > Email Log & Track (form <portal id>@bcc.hubspot.com).
        new("HubSpot", "bcc.hubspot.com", "https://knowledge.hubspot.com/connected-email/log-email-in-your-crm-with-the-bcc-or-forwarding-address"),
        // Pipedrive "Smart Bcc": one company-wide address, based on the company domain, pasted into the Bcc field
        // (form <company>@pipedrivemail.com; the API's cc_email field of deals and organisations carries the same domain).
        new("Pipedrive", "pipedrivemail.com", "https://support.pipedrive.com/en/article/smart-email-bcc"),
        // Capsule "Drop box": "BCC the drop box address and the email will be attached to the recipients";
        // the address looks like dropbox@12345678.examplecompany.capsulecrm.com.
        new("Capsule", "*.capsulecrm.com", "https://capsulecrm.com/support/drop-box/"),
        // Pipeline CRM "BCC Tracking": "write cc@app.pipelinecrm.com in the BCC field".
        new("Pipeline CRM", "app.pipelinecrm.com", "https://help.pipelinecrm.com/article/93-how-pipelinedeals-works-with-email"),
        // Freshsales: the custom address "sales@yourcrmname.freshsales.io" that emails are sent or forwarded to.
        new("Freshsales", "*.freshsales.io", "https://support.freshsales.io/en/support/solutions/articles/219709-how-to-convert-your-sales-emails-into-freshsales-leads-"),
        // Nutshell shared inbox: "a unique email address that looks something like ibx_..._...@nutshellemail.com".
        new("Nutshell", "nutshellemail.com", "https://support.nutshell.com/en/articles/14464281-crm-shared-email-inbox"),
    ];

    /// <summary>The vendor whose built-in known sink <paramref name="domain"/> is (any case, IDN either form), or null.</summary>
    public static string? Match(string? domain) => Match(BuiltIn, domain);

    /// <summary>The vendor whose entry of <paramref name="sinks"/> matches <paramref name="domain"/>, or null.</summary>
    public static string? Match(IReadOnlyList<KnownSink> sinks, string? domain)
    {
        string d = DomainName.Normalize(domain);
        if (d.Length == 0) return null;
        for (int i = 0; i < sinks.Count; i++)
            if (sinks[i].Pattern.Matches(d)) return sinks[i].Vendor;
        return null;
    }

    /// <summary>As <see cref="Match(IReadOnlyList{KnownSink}, string?)"/> for the domain of <paramref name="address"/> (no allocation for ASCII domains).</summary>
    public static string? MatchAddress(IReadOnlyList<KnownSink> sinks, Mail.MailAddress address)
    {
        if (!DomainName.TryAsciiDomainOf(address.Address, out var d)) return Match(sinks, address.Domain);
        if (d.Length == 0) return null;
        for (int i = 0; i < sinks.Count; i++)
            if (sinks[i].Pattern.Matches(d)) return sinks[i].Vendor;
        return null;
    }

    /// <summary>True when <paramref name="vendorOrDomain"/> names a built-in entry: its vendor or its domain entry, any case.</summary>
    public static bool IsBuiltIn(string vendorOrDomain) => BuiltIn.Any(s => Names(s, vendorOrDomain));

    /// <summary>
    /// The list a policy uses: the built-in entries not named in <see cref="DetectionPolicy.DisabledKnownSinks"/>
    /// (by vendor or domain entry), then <see cref="DetectionPolicy.ExtraKnownSinks"/>.
    /// </summary>
    public static IReadOnlyList<KnownSink> Effective(DetectionPolicy policy)
    {
        if (policy.DisabledKnownSinks.Count == 0 && policy.ExtraKnownSinks.Count == 0) return BuiltIn;
        return [.. BuiltIn.Where(s => !policy.DisabledKnownSinks.Any(d => Names(s, d))), .. policy.ExtraKnownSinks];
    }

    private static bool Names(KnownSink s, string vendorOrDomain) =>
        string.Equals(s.Vendor, vendorOrDomain, StringComparison.OrdinalIgnoreCase) || string.Equals(s.Domain, vendorOrDomain, StringComparison.OrdinalIgnoreCase);
}
