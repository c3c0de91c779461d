namespace McpEgress.Fuzz;

/// <summary>
/// The endpoints the mail-API harness sends its body to: one row per provider host and path the extractors know
/// (captures/api/README.md). The first input byte picks the row, so every extractor is fuzzed by one target.
/// </summary>
internal static class MailApiRoutes
{
    public static readonly (string Method, string Host, string Path)[] Rows =
    [
        ("POST", "api.postmarkapp.com", "/email"),
        ("POST", "api.postmarkapp.com", "/email/batch"),
        ("POST", "api.postmarkapp.com", "/email/withTemplate"),
        ("POST", "api.postmarkapp.com", "/email/batchWithTemplates"),
        ("POST", "api.sendgrid.com", "/v3/mail/send"),
        ("POST", "api.mailgun.net", "/v3/mg.corp.example/messages"),
        ("POST", "api.mailgun.net", "/v3/mg.corp.example/messages.mime"),
        ("POST", "email.us-east-1.amazonaws.com", "/"),
        ("POST", "email.us-east-1.amazonaws.com", "/v2/email/outbound-emails"),
        ("POST", "email.us-east-1.amazonaws.com", "/v2/email/outbound-bulk-emails"),
        ("POST", "api.resend.com", "/emails"),
        ("POST", "api.resend.com", "/emails/batch"),
        ("POST", "api.mailjet.com", "/v3.1/send"),
        ("POST", "api.mailjet.com", "/v3/send"),
        ("POST", "api.brevo.com", "/v3/smtp/email"),
        ("POST", "mandrillapp.com", "/api/1.0/messages/send.json"),
        ("POST", "mandrillapp.com", "/api/1.0/messages/send-template.json"),
        ("POST", "mandrillapp.com", "/api/1.0/messages/send-raw.json"),
        ("POST", "mandrillapp.com", "/api/1.3/messages/send"),
        ("POST", "api.sparkpost.com", "/api/v1/transmissions"),
        ("POST", "api.mailersend.com", "/v1/email"),
        ("POST", "api.mailersend.com", "/v1/bulk-email"),
        ("POST", "graph.microsoft.com", "/v1.0/me/sendMail"),
        ("POST", "graph.microsoft.com", "/v1.0/users/alice@example.com/sendMail"),
        ("POST", "graph.microsoft.com", "/v1.0/me/messages"),
        ("POST", "gmail.googleapis.com", "/gmail/v1/users/me/messages/send"),
        ("POST", "gmail.googleapis.com", "/upload/gmail/v1/users/me/messages/send?uploadType=media"),
        ("POST", "gmail.googleapis.com", "/upload/gmail/v1/users/me/messages/send?uploadType=multipart"),
        ("POST", "gmail.googleapis.com", "/gmail/v1/users/me/drafts"),
    ];

    /// <summary>The row whose host and path match a captured request (query ignored when no row has it), or -1.</summary>
    public static int Find(string host, string target)
    {
        for (int i = 0; i < Rows.Length; i++)
            if (Rows[i].Host == host && Rows[i].Path == target) return i;
        string path = target.Split('?')[0];
        for (int i = 0; i < Rows.Length; i++)
            if (Rows[i].Host == host && Rows[i].Path.Split('?')[0] == path) return i;
        return -1;
    }
}
