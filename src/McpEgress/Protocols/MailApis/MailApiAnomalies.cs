using McpEgress.Diagnostics;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Anomalies of the <c>mail_api</c> stage: mail provider API calls whose payload can't be read, or is read only in part. The first names are also <see cref="MailApiUnknownReason"/> values: the reason a send call's recipients are unknown.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class MailApiAnomalies
{
    /// <summary>A send call's body was cut (size limit, gap) or its content coding could not be removed.</summary>
    public const string BodyTruncated = MailApiUnknownReason.BodyTruncated;

    /// <summary>A send call without a body.</summary>
    public const string EmptyBody = MailApiUnknownReason.EmptyBody;

    /// <summary>A send call's JSON body does not parse.</summary>
    public const string UnparseableJson = MailApiUnknownReason.UnparseableJson;

    /// <summary>A send call's form body does not parse.</summary>
    public const string UnparseableForm = MailApiUnknownReason.UnparseableForm;

    /// <summary>A multipart body without its first or close delimiter.</summary>
    public const string MultipartMalformed = MailApiUnknownReason.MultipartMalformed;

    /// <summary>A send call's body parsed but is not a shape this provider's send call takes.</summary>
    public const string UnknownSendShape = MailApiUnknownReason.UnknownSendShape;

    /// <summary>An embedded raw message that is not valid base64.</summary>
    public const string BadBase64Raw = MailApiUnknownReason.BadBase64Raw;

    /// <summary>A bug in a payload extractor, caught at the stage boundary.</summary>
    public const string ExtractorError = MailApiUnknownReason.ExtractorError;

    /// <summary>A JSON body that is not valid UTF-8 (RFC 8259 8.1); bad sequences are replaced with U+FFFD.</summary>
    public const string InvalidUtf8 = "invalid_utf8";

    /// <summary>A message in a send call without any recipient.</summary>
    public const string MessageWithoutRecipients = "message_without_recipients";

    /// <summary>More messages in one call than the message limit; later ones are not reported.</summary>
    public const string TooManyMessages = "too_many_messages";

    /// <summary>More recipients in one message than the recipient limit; later ones are dropped.</summary>
    public const string TooManyRecipients = "too_many_recipients";

    /// <summary>A recipient value that is neither an address string nor an object with an address.</summary>
    public const string OddAddressValue = "odd_address_value";

    /// <summary>An embedded raw message larger than the raw message limit; cut.</summary>
    public const string RawMessageTooLarge = "raw_message_too_large";

    /// <summary>An embedded raw message without any header field.</summary>
    public const string RawMessageNoHeaders = "raw_message_no_headers";

    /// <summary>More requests in one Microsoft Graph JSON batch than the batch limit; later ones are skipped.</summary>
    public const string TooManyBatchRequests = "too_many_batch_requests";

    /// <summary>More fields in a form body than the form field limit; later ones are skipped.</summary>
    public const string TooManyFormFields = "too_many_form_fields";

    /// <summary>More parts in a multipart body than the part limit; later ones are skipped.</summary>
    public const string TooManyMultipartParts = "too_many_multipart_parts";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.MailApi, BodyTruncated, "A send call's body was cut (size limit, gap) or its content coding could not be removed."),
        new(AnomalyStage.MailApi, EmptyBody, "A send call without a body."),
        new(AnomalyStage.MailApi, UnparseableJson, "A send call's JSON body does not parse."),
        new(AnomalyStage.MailApi, UnparseableForm, "A send call's form body does not parse."),
        new(AnomalyStage.MailApi, MultipartMalformed, "A multipart body without its first or close delimiter."),
        new(AnomalyStage.MailApi, UnknownSendShape, "A send call's body parsed but is not a shape this provider's send call takes."),
        new(AnomalyStage.MailApi, BadBase64Raw, "An embedded raw message that is not valid base64."),
        new(AnomalyStage.MailApi, ExtractorError, "A bug in a payload extractor, caught at the stage boundary."),
        new(AnomalyStage.MailApi, InvalidUtf8, "A JSON body that is not valid UTF-8 (RFC 8259 8.1); bad sequences are replaced with U+FFFD."),
        new(AnomalyStage.MailApi, MessageWithoutRecipients, "A message in a send call without any recipient."),
        new(AnomalyStage.MailApi, TooManyMessages, "More messages in one call than the message limit; later ones are not reported."),
        new(AnomalyStage.MailApi, TooManyRecipients, "More recipients in one message than the recipient limit; later ones are dropped."),
        new(AnomalyStage.MailApi, OddAddressValue, "A recipient value that is neither an address string nor an object with an address."),
        new(AnomalyStage.MailApi, RawMessageTooLarge, "An embedded raw message larger than the raw message limit; cut."),
        new(AnomalyStage.MailApi, RawMessageNoHeaders, "An embedded raw message without any header field."),
        new(AnomalyStage.MailApi, TooManyBatchRequests, "More requests in one Microsoft Graph JSON batch than the batch limit; later ones are skipped."),
        new(AnomalyStage.MailApi, TooManyFormFields, "More fields in a form body than the form field limit; later ones are skipped."),
        new(AnomalyStage.MailApi, TooManyMultipartParts, "More parts in a multipart body than the part limit; later ones are skipped."),
    ];
}
