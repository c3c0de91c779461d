using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// What one request to a known mail-API host meant. <see cref="IsSendCall"/> is true for calls that send mail now.
/// Draft create/update calls (Graph messages, Gmail drafts, Resend inbox drafts) have <see cref="IsSendCall"/> false
/// but still carry their <see cref="Messages"/> (marked <c>mcp_egress.api.draft</c>), because the later send call
/// names only the draft id. <see cref="Unknown"/> says why a send-like call gave no (or not all) messages.
/// </summary>
public sealed class MailApiResult
{
    /// <summary>Provider id: postmark, sendgrid, mailgun, ses, resend, mailjet, brevo, mandrill, sparkpost, mailersend, graph, gmail.</summary>
    public required string Provider { get; init; }

    /// <summary>Short name from a fixed set, e.g. "postmark.email.batch"; "{provider}.other" for other calls.</summary>
    public string Endpoint { get; internal set; } = "";

    public bool IsSendCall { get; internal set; }

    public List<MailMessage> Messages { get; } = new();

    /// <summary>Null, or a short reason from a fixed set (<see cref="MailApiUnknownReason"/>).</summary>
    public string? Unknown { get; internal set; }

    public override string ToString() =>
        $"{Endpoint} send={IsSendCall} messages={Messages.Count}" + (Unknown is null ? "" : $" unknown={Unknown}");
}
