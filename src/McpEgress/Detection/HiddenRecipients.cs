using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Role helpers for a message's hidden recipients (<see cref="MailMessage.Hidden"/>).</summary>
public static class HiddenRecipients
{
    /// <summary>Bcc, or Resent-Bcc when only that field lists the address; Envelope for envelope-only recipients.</summary>
    public static RecipientRole RoleOf(MailMessage message, HiddenRecipient hidden)
    {
        if (hidden.Reason == HiddenReason.EnvelopeOnly) return RecipientRole.Envelope;
        foreach (var a in message.Bcc)
            if (MailAddress.AddressComparer.Equals(a.Address, hidden.Address.Address)) return RecipientRole.Bcc;
        foreach (var a in message.ResentBcc)
            if (MailAddress.AddressComparer.Equals(a.Address, hidden.Address.Address)) return RecipientRole.ResentBcc;
        return RecipientRole.Bcc;
    }
}
