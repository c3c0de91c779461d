namespace McpEgress.Protocols.MailApis;

/// <summary>The bounded set of values of <see cref="MailApiResult.Unknown"/>.</summary>
public static class MailApiUnknownReason
{
    /// <summary>The body was cut (size limit, gap) or its content coding could not be removed.</summary>
    public const string BodyTruncated = "body_truncated";
    /// <summary>A send call without a body.</summary>
    public const string EmptyBody = "empty_body";
    public const string UnparseableJson = "unparseable_json";
    public const string UnparseableForm = "unparseable_form";
    public const string MultipartMalformed = "multipart_malformed";
    /// <summary>The body parsed but is not any shape this provider's send call takes.</summary>
    public const string UnknownSendShape = "unknown_send_shape";
    /// <summary>An embedded raw message is not valid base64.</summary>
    public const string BadBase64Raw = "bad_base64_raw";
    /// <summary>The recipients are not in this request: a draft sent by id, a stored list or template.</summary>
    public const string NoRecipientsTemplateDraft = "no_recipients_template_draft";
    /// <summary>A resumable upload's first request (metadata only; the message follows in later requests).</summary>
    public const string ResumableUpload = "resumable_upload";
    /// <summary>A batch format this extractor does not unpack (Gmail multipart/mixed batch).</summary>
    public const string UnsupportedBatch = "unsupported_batch";
    /// <summary>A bug in the extractor, caught at the stage boundary.</summary>
    public const string ExtractorError = "extractor_error";
}
