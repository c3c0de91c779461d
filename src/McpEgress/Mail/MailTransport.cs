namespace McpEgress.Mail;

public enum MailTransport
{
    Smtp,
    /// <summary>A provider's HTTP(S) send API.</summary>
    Http,
}
