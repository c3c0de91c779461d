using System.Text;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// EHLO keywords as the strings a session keeps. Registered keywords (IANA "SMTP Service Extensions", plus the common
/// vendor ones) map to one shared string each, so an idle session that saw an EHLO reply keeps no keyword strings of
/// its own; others are upper-cased and cut to <see cref="SmtpOptions.MaxCapabilityChars"/>.
/// </summary>
internal static class SmtpCapabilityNames
{
    private static readonly string[] Known =
    [
        "PIPELINING", "SIZE", "STARTTLS", "AUTH", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING",
        "BINARYMIME", "DELIVERBY", "ETRN", "EXPN", "VRFY", "HELP", "REQUIRETLS", "MT-PRIORITY", "FUTURERELEASE",
        "LIMITS", "RRVS", "BURL", "ATRN", "CHECKPOINT", "CONNEG", "MTRK", "NO-SOLICITING", "SUBMITTER", "VERB",
        "ONEX", "TURN", "XCLIENT", "XFORWARD", "XEXCH50", "X-EXPS", "X-LINK2STATE", "X-ANONYMOUSTLS", "XOORG",
    ];

    /// <summary>The keyword (non-empty ASCII bytes) as an upper-case string.</summary>
    public static string For(ReadOnlySpan<byte> keyword)
    {
        foreach (var known in Known)
            if (Ascii.EqualsIgnoreCase(keyword, known)) return known;
        var cut = keyword.Length <= SmtpOptions.MaxCapabilityChars ? keyword : keyword[..SmtpOptions.MaxCapabilityChars];
        return Encoding.ASCII.GetString(cut).ToUpperInvariant();
    }
}
