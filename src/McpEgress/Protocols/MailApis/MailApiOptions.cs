namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Limits for turning mail-API requests into messages. Each is enforced while reading the body; exceeding one is
/// reported (stage <c>mail_api</c>) and the excess is dropped, never thrown.
/// </summary>
public sealed class MailApiOptions
{
    /// <summary>Shared instance with the defaults below.</summary>
    public static MailApiOptions Default { get; } = new();

    /// <summary>
    /// Messages produced from one request (batch arrays, SendGrid personalizations, SES bulk entries, Brevo message
    /// versions, Graph $batch). Further ones are dropped (<c>too_many_messages</c>). Default 1000: SendGrid allows 1000
    /// personalizations, Postmark 500 batch messages, SES 50 bulk entries, Resend 100.
    /// </summary>
    public int MaxMessagesPerRequest { get; init; } = 1000;

    /// <summary>
    /// Addresses kept per message over From, To, Cc, Bcc, Reply-To and the API envelope together; further ones are
    /// dropped (<c>too_many_recipients</c>). Default 10000 (Brevo allows 2000 per call, SparkPost lists are larger).
    /// </summary>
    public int MaxRecipientsPerMessage { get; init; } = 10000;

    /// <summary>Nesting depth accepted in JSON bodies (System.Text.Json MaxDepth); deeper is <c>unparseable_json</c>. Default 64.</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>
    /// Decoded bytes of an embedded raw RFC 822 message that are looked at (SES Raw.Data, Gmail raw, Graph MIME...).
    /// Only the header block matters, so a longer message is cut (<c>raw_message_too_large</c>) and its headers still
    /// read. Default 16 MiB.
    /// </summary>
    public int MaxRawMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Parts read from a multipart/form-data or multipart/related body; further ones are ignored
    /// (<c>too_many_multipart_parts</c>). Default 256.</summary>
    public int MaxMultipartParts { get; init; } = 256;

    /// <summary>Fields read from an application/x-www-form-urlencoded body (SES v1 bulk sends list every recipient as a
    /// field); further ones are ignored (<c>too_many_form_fields</c>). Default 20000.</summary>
    public int MaxFormFields { get; init; } = 20000;

    /// <summary>Nested requests inspected in one Microsoft Graph JSON $batch (Graph itself allows 20). Default 100.</summary>
    public int MaxBatchRequests { get; init; } = 100;
}
