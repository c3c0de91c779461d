namespace McpEgress.Detection;

/// <summary>Stable snake_case names for <see cref="RecipientRole"/>, used in alert text and exported events.</summary>
public static class RecipientRoleNames
{
    public static string ToName(this RecipientRole role) => role switch
    {
        RecipientRole.To => "to",
        RecipientRole.Cc => "cc",
        RecipientRole.Bcc => "bcc",
        RecipientRole.ResentTo => "resent_to",
        RecipientRole.ResentCc => "resent_cc",
        RecipientRole.ResentBcc => "resent_bcc",
        RecipientRole.Envelope => "envelope",
        RecipientRole.ReplyTo => "reply_to",
        RecipientRole.None => "none",
        _ => "unknown",
    };
}
