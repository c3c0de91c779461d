namespace McpEgress.Mail;

/// <summary>Where protocol parsers deliver finished messages.</summary>
public interface IMailMessageSink
{
    void OnMessage(MailMessage message);
}
