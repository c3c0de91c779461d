namespace McpEgress.Detection;

/// <summary>One well-known legitimate hidden-copy destination: a vendor's CRM-logging or archiving address domain.</summary>
/// <param name="Vendor">Product name as its vendor writes it ("HubSpot").</param>
/// <param name="Domain">A <see cref="DomainPattern"/> entry: <c>example.com</c> = it and subdomains, <c>*.example.com</c> = subdomains only.</param>
/// <param name="Source">The vendor's own documentation of the address.</param>
public sealed record KnownSink(string Vendor, string Domain, string Source)
{
    internal DomainPattern Pattern { get; } = DomainPattern.Parse(Domain);
}
