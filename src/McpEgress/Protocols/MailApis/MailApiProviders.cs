namespace McpEgress.Protocols.MailApis;

/// <summary>Provider ids used in <see cref="MailApiResult.Provider"/> and <see cref="Mail.MailMessage.Provider"/>.</summary>
public static class MailApiProviders
{
    public const string Postmark = "postmark";
    public const string SendGrid = "sendgrid";
    public const string Mailgun = "mailgun";
    public const string Ses = "ses";
    public const string Resend = "resend";
    public const string Mailjet = "mailjet";
    public const string Brevo = "brevo";
    public const string Mandrill = "mandrill";
    public const string SparkPost = "sparkpost";
    public const string MailerSend = "mailersend";
    public const string Graph = "graph";
    public const string Gmail = "gmail";
}
