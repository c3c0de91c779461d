using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Reads a message's hidden recipients without trusting that the producer resolved them.</summary>
public static class HiddenRecipients
{
    /// <summary>
    /// <see cref="MailMessage.Hidden"/> when set; otherwise computed with <see cref="RecipientResolver"/> (without
    /// storing it) when the message has any Bcc or envelope recipient, so a producer that forgot to resolve
    /// cannot blind the detector.
    /// </summary>
    public static IReadOnlyList<HiddenRecipient> Of(MailMessage message)
    {
        if (message.Hidden.Count > 0) return message.Hidden;
        bool couldHaveHidden = message.Bcc.Count > 0 || message.ResentBcc.Count > 0 || message.ApiEnvelope.Count > 0
            || message.Envelope is { RcptTo.Count: > 0 };
        return couldHaveHidden ? RecipientResolver.Resolve(message) : [];
    }

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
