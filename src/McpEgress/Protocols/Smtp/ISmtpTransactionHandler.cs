namespace McpEgress.Protocols.Smtp;

/// <summary>Receives each mail transaction of an <see cref="SmtpSession"/> once it is over.</summary>
public interface ISmtpTransactionHandler
{
    void OnTransaction(SmtpTransaction transaction);
}
