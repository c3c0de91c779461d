namespace McpEgress.Mail;

/// <param name="KnownSink">
/// The vendor whose well-known CRM-logging or archiving address this is ("HubSpot"), when detection recognised it;
/// null otherwise. Set by detection (<c>KnownSinks</c>), never by protocol code.
/// </param>
public readonly record struct HiddenRecipient(MailAddress Address, HiddenReason Reason, string? KnownSink = null);
