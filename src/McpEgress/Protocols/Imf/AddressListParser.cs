using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Parses an RFC 5322 §3.4 address-list (From, To, Cc, Bcc, Reply-To, Resent-*) into mailboxes. Groups are
/// flattened; comments are dropped; display names are unquoted and their encoded-words decoded; the obsolete
/// syntax of §4.4 (routes, CFWS inside addr-specs, empty list elements) is accepted. Loose by default (see
/// <see cref="ImfOptions.Strict"/>). Linear time: one tokenising pass, then one pass over the tokens that never
/// looks back; no recursion, so nesting depth costs no stack. Never throws.
/// </summary>
public static class AddressListParser
{
    public static IReadOnlyList<MailAddress> Parse(string value, ImfOptions? options = null, IAnomalySink? anomalies = null)
    {
        var list = new List<MailAddress>();
        ParseInto(value, list, options ?? ImfOptions.Default, anomalies);
        return list;
    }

    /// <summary>Appends to <paramref name="into"/> until it holds <see cref="ImfOptions.MaxAddressesPerField"/> addresses.</summary>
    internal static void ParseInto(string value, List<MailAddress> into, ImfOptions options, IAnomalySink? anomalies)
    {
        var p = new AddressListState(value, into, options, anomalies);
        try
        {
            p.Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug here must not stop the monitor: count it like bad input.
            anomalies?.Report(AnomalyStage.Imf, "address_parser_error");
        }
        finally
        {
            p.Dispose();
        }
    }
}
