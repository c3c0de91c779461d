using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Anomalies of the <c>http</c> stage: HTTP/1.1 messages (RFC 9112) and HTTP/2 frames and header blocks (RFC 9113, RFC 7541) that are malformed, and HTTP limits reached.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class HttpAnomalies
{
    /// <summary>Bytes lost from an HTTP connection; it is not followed further.</summary>
    public const string Gap = "gap";

    /// <summary>More pipelined requests waiting for responses than the pending request limit.</summary>
    public const string TooManyPendingRequests = "too_many_pending_requests";

    /// <summary>A CONNECT request: the bytes after it are a tunnel, not HTTP.</summary>
    public const string ConnectTunnel = "connect_tunnel";

    /// <summary>An HTTP/2 CONNECT without :authority, or with :scheme or :path (RFC 9113 8.5); not followed.</summary>
    public const string BadConnectRequest = "bad_connect_request";

    /// <summary>An HTTP/2 CONNECT stream sent more before the proxy's reply than the early-data limit; dropped.</summary>
    public const string ConnectEarlyDataTooLong = "connect_early_data_too_long";

    /// <summary>A message with both Content-Length and Transfer-Encoding (RFC 9112 6.3); Transfer-Encoding wins.</summary>
    public const string ContentLengthWithTransferEncoding = "content_length_with_transfer_encoding";

    /// <summary>A Transfer-Encoding whose final coding is not chunked (RFC 9112 6.3).</summary>
    public const string BadTransferEncoding = "bad_transfer_encoding";

    /// <summary>A Content-Length that is not a number, or several that differ.</summary>
    public const string BadContentLength = "bad_content_length";

    /// <summary>A 101 Switching Protocols response: the bytes after it are not HTTP/1.</summary>
    public const string ProtocolUpgrade = "protocol_upgrade";

    /// <summary>A response with no request waiting for it.</summary>
    public const string ResponseWithoutRequest = "response_without_request";

    /// <summary>Bodies buffered on one connection exceed the connection body limit; the body is cut.</summary>
    public const string ConnectionBodyLimit = "connection_body_limit";

    /// <summary>A request body longer than the body size limit; cut.</summary>
    public const string RequestBodyTruncated = "request_body_truncated";

    /// <summary>A chunk size line that is not hex or is too long.</summary>
    public const string BadChunkSize = "bad_chunk_size";

    /// <summary>A chunk not followed by CRLF.</summary>
    public const string BadChunkTerminator = "bad_chunk_terminator";

    /// <summary>A header section (or HPACK header block) larger than the header size limit.</summary>
    public const string HeaderSectionTooLarge = "header_section_too_large";

    /// <summary>The connection closed in the middle of a message.</summary>
    public const string MessageIncompleteAtClose = "message_incomplete_at_close";

    /// <summary>A request line that is not method SP target SP version.</summary>
    public const string BadRequestLine = "bad_request_line";

    /// <summary>A status line that is not version SP code SP reason.</summary>
    public const string BadStatusLine = "bad_status_line";

    /// <summary>A header line folded onto several lines (obsolete line folding, RFC 9112 5.2).</summary>
    public const string ObsFold = "obs_fold";

    /// <summary>A header line without a colon or with a malformed name.</summary>
    public const string BadHeaderLine = "bad_header_line";

    /// <summary>More header fields than the header field limit; later ones are skipped.</summary>
    public const string TooManyHeaders = "too_many_headers";

    /// <summary>An HTTP/2 frame whose padding length exceeds its payload (RFC 9113 6.1).</summary>
    public const string BadPadding = "bad_padding";

    /// <summary>An HTTP/2 frame longer than the frame size limit.</summary>
    public const string FrameTooLarge = "frame_too_large";

    /// <summary>An HTTP/2 connection that does not start with the client connection preface (RFC 9113 3.4).</summary>
    public const string BadPreface = "bad_preface";

    /// <summary>A header block could not be decoded, so the HPACK dynamic table is lost; later header blocks on the connection can't be read.</summary>
    public const string HpackStateLost = "hpack_state_lost";

    /// <summary>An HTTP/2 frame other than CONTINUATION in the middle of a header block (RFC 9113 6.10).</summary>
    public const string ContinuationExpected = "continuation_expected";

    /// <summary>An HTTP/2 SETTINGS frame of a bad length or with a bad value.</summary>
    public const string BadSettings = "bad_settings";

    /// <summary>A SETTINGS_HEADER_TABLE_SIZE above the HPACK table limit; the limit is used.</summary>
    public const string HpackTableSizeCapped = "hpack_table_size_capped";

    /// <summary>A PUSH_PROMISE frame sent by the client (RFC 9113 8.4).</summary>
    public const string PushPromiseFromClient = "push_promise_from_client";

    /// <summary>An HPACK header block that does not decode (RFC 7541).</summary>
    public const string HpackDecodingError = "hpack_decoding_error";

    /// <summary>An HPACK dynamic table size update above the advertised setting (RFC 7541 6.3).</summary>
    public const string HpackTableSizeUpdateAboveSetting = "hpack_table_size_update_above_setting";

    /// <summary>HEADERS on a stream already closed or below the last stream id.</summary>
    public const string HeadersOnClosedStream = "headers_on_closed_stream";

    /// <summary>More concurrent HTTP/2 streams than the stream limit; the new stream is not followed.</summary>
    public const string TooManyStreams = "too_many_streams";

    /// <summary>An unknown HTTP/2 request pseudo-header (RFC 9113 8.3).</summary>
    public const string BadPseudoHeader = "bad_pseudo_header";

    /// <summary>An HTTP/2 :status that is not a three-digit code.</summary>
    public const string BadStatus = "bad_status";

    /// <summary>An HTTP/2 response header block without :status.</summary>
    public const string MissingStatus = "missing_status";

    /// <summary>A body with a Content-Encoding that is not gzip, deflate or br; left encoded.</summary>
    public const string UnsupportedContentEncoding = "unsupported_content_encoding";

    /// <summary>A body that decompresses to more than the decompressed body limit; cut.</summary>
    public const string DecompressedBodyLimit = "decompressed_body_limit";

    /// <summary>A body declared br that is not valid Brotli.</summary>
    public const string BrInvalid = "br_invalid";

    /// <summary>A body declared deflate that is not valid zlib or raw deflate.</summary>
    public const string DeflateInvalid = "deflate_invalid";

    /// <summary>A body declared gzip that is not valid gzip.</summary>
    public const string GzipInvalid = "gzip_invalid";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Http, Gap, "Bytes lost from an HTTP connection; it is not followed further."),
        new(AnomalyStage.Http, TooManyPendingRequests, "More pipelined requests waiting for responses than the pending request limit."),
        new(AnomalyStage.Http, ConnectTunnel, "A CONNECT request: the bytes after it are a tunnel, not HTTP."),
        new(AnomalyStage.Http, BadConnectRequest, "An HTTP/2 CONNECT without :authority, or with :scheme or :path (RFC 9113 8.5); not followed."),
        new(AnomalyStage.Http, ConnectEarlyDataTooLong, "An HTTP/2 CONNECT stream sent more before the proxy's reply than the early-data limit; dropped."),
        new(AnomalyStage.Http, ContentLengthWithTransferEncoding, "A message with both Content-Length and Transfer-Encoding (RFC 9112 6.3); Transfer-Encoding wins."),
        new(AnomalyStage.Http, BadTransferEncoding, "A Transfer-Encoding whose final coding is not chunked (RFC 9112 6.3)."),
        new(AnomalyStage.Http, BadContentLength, "A Content-Length that is not a number, or several that differ."),
        new(AnomalyStage.Http, ProtocolUpgrade, "A 101 Switching Protocols response: the bytes after it are not HTTP/1."),
        new(AnomalyStage.Http, ResponseWithoutRequest, "A response with no request waiting for it."),
        new(AnomalyStage.Http, ConnectionBodyLimit, "Bodies buffered on one connection exceed the connection body limit; the body is cut."),
        new(AnomalyStage.Http, RequestBodyTruncated, "A request body longer than the body size limit; cut."),
        new(AnomalyStage.Http, BadChunkSize, "A chunk size line that is not hex or is too long."),
        new(AnomalyStage.Http, BadChunkTerminator, "A chunk not followed by CRLF."),
        new(AnomalyStage.Http, HeaderSectionTooLarge, "A header section (or HPACK header block) larger than the header size limit."),
        new(AnomalyStage.Http, MessageIncompleteAtClose, "The connection closed in the middle of a message."),
        new(AnomalyStage.Http, BadRequestLine, "A request line that is not method SP target SP version."),
        new(AnomalyStage.Http, BadStatusLine, "A status line that is not version SP code SP reason."),
        new(AnomalyStage.Http, ObsFold, "A header line folded onto several lines (obsolete line folding, RFC 9112 5.2)."),
        new(AnomalyStage.Http, BadHeaderLine, "A header line without a colon or with a malformed name."),
        new(AnomalyStage.Http, TooManyHeaders, "More header fields than the header field limit; later ones are skipped."),
        new(AnomalyStage.Http, BadPadding, "An HTTP/2 frame whose padding length exceeds its payload (RFC 9113 6.1)."),
        new(AnomalyStage.Http, FrameTooLarge, "An HTTP/2 frame longer than the frame size limit."),
        new(AnomalyStage.Http, BadPreface, "An HTTP/2 connection that does not start with the client connection preface (RFC 9113 3.4)."),
        new(AnomalyStage.Http, HpackStateLost, "A header block could not be decoded, so the HPACK dynamic table is lost; later header blocks on the connection can't be read."),
        new(AnomalyStage.Http, ContinuationExpected, "An HTTP/2 frame other than CONTINUATION in the middle of a header block (RFC 9113 6.10)."),
        new(AnomalyStage.Http, BadSettings, "An HTTP/2 SETTINGS frame of a bad length or with a bad value."),
        new(AnomalyStage.Http, HpackTableSizeCapped, "A SETTINGS_HEADER_TABLE_SIZE above the HPACK table limit; the limit is used."),
        new(AnomalyStage.Http, PushPromiseFromClient, "A PUSH_PROMISE frame sent by the client (RFC 9113 8.4)."),
        new(AnomalyStage.Http, HpackDecodingError, "An HPACK header block that does not decode (RFC 7541)."),
        new(AnomalyStage.Http, HpackTableSizeUpdateAboveSetting, "An HPACK dynamic table size update above the advertised setting (RFC 7541 6.3)."),
        new(AnomalyStage.Http, HeadersOnClosedStream, "HEADERS on a stream already closed or below the last stream id."),
        new(AnomalyStage.Http, TooManyStreams, "More concurrent HTTP/2 streams than the stream limit; the new stream is not followed."),
        new(AnomalyStage.Http, BadPseudoHeader, "An unknown HTTP/2 request pseudo-header (RFC 9113 8.3)."),
        new(AnomalyStage.Http, BadStatus, "An HTTP/2 :status that is not a three-digit code."),
        new(AnomalyStage.Http, MissingStatus, "An HTTP/2 response header block without :status."),
        new(AnomalyStage.Http, UnsupportedContentEncoding, "A body with a Content-Encoding that is not gzip, deflate or br; left encoded."),
        new(AnomalyStage.Http, DecompressedBodyLimit, "A body that decompresses to more than the decompressed body limit; cut."),
        new(AnomalyStage.Http, BrInvalid, "A body declared br that is not valid Brotli."),
        new(AnomalyStage.Http, DeflateInvalid, "A body declared deflate that is not valid zlib or raw deflate."),
        new(AnomalyStage.Http, GzipInvalid, "A body declared gzip that is not valid gzip."),
    ];
}
