using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// Anomalies of the <c>tls</c> stage: TLS records and handshakes that break RFC 5246/8446, failed decryption, and key logs (read from files, pcapng or followed) that can't be used.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class TlsAnomalies
{
    /// <summary>Bytes lost from a TLS stream; records can't be framed after it and the direction stops.</summary>
    public const string StreamGap = "stream_gap";

    /// <summary>The flow closed with ciphertext still waiting for keys.</summary>
    public const string UndecryptedAtClose = "undecrypted_at_close";

    /// <summary>The flow closed in the middle of a TLS record.</summary>
    public const string TruncatedRecordAtClose = "truncated_record_at_close";

    /// <summary>A TLS record header with an unknown content type or version; the direction stops.</summary>
    public const string BadRecordHeader = "bad_record_header";

    /// <summary>A TLS record longer than the record size limit; the direction stops.</summary>
    public const string RecordTooLarge = "record_too_large";

    /// <summary>A TLS session whose ClientHello was not seen (capture started mid-handshake); it can't be decrypted.</summary>
    public const string MissingClientHello = "missing_client_hello";

    /// <summary>A ChangeCipherSpec before the ServerHello.</summary>
    public const string UnexpectedChangeCipherSpec = "unexpected_change_cipher_spec";

    /// <summary>A handshake message split across a key change (RFC 8446 5.1).</summary>
    public const string HandshakeSpansKeyChange = "handshake_spans_key_change";

    /// <summary>Application data sent before encryption was set up.</summary>
    public const string PlaintextApplicationData = "plaintext_application_data";

    /// <summary>A renegotiation (a second ClientHello or HelloRequest); the new keys are not followed.</summary>
    public const string Renegotiation = "renegotiation";

    /// <summary>A TLS 1.3 unprotected record other than an alert after the ServerHello.</summary>
    public const string UnexpectedPlaintextRecord = "unexpected_plaintext_record";

    /// <summary>TLS 1.3 early data that could not be decrypted with the early traffic secret.</summary>
    public const string EarlyDataUndecryptable = "early_data_undecryptable";

    /// <summary>Application data protected with TLS 1.3 handshake keys.</summary>
    public const string ApplicationDataUnderHandshakeKeys = "application_data_under_handshake_keys";

    /// <summary>A decrypted TLS 1.3 record whose inner content type is 0: all padding (RFC 8446 5.4).</summary>
    public const string InnerPlaintextWithoutType = "inner_plaintext_without_type";

    /// <summary>A decrypted record of a content type not allowed at this point.</summary>
    public const string UnexpectedContentType = "unexpected_content_type";

    /// <summary>Key material the cryptography library rejects (a weak DES/3DES key); the direction can't be decrypted.</summary>
    public const string KeyRejected = "key_rejected";

    /// <summary>A handshake message longer than the handshake message limit; the direction stops.</summary>
    public const string HandshakeMessageTooLarge = "handshake_message_too_large";

    /// <summary>A handshake message of a type not allowed at this point of the handshake.</summary>
    public const string UnexpectedHandshakeMessage = "unexpected_handshake_message";

    /// <summary>A ClientHello that does not parse.</summary>
    public const string MalformedClientHello = "malformed_client_hello";

    /// <summary>A second ClientHello after a HelloRetryRequest with a different random (RFC 8446 4.1.2).</summary>
    public const string ClientRandomChangedAfterRetry = "client_random_changed_after_retry";

    /// <summary>A ServerHello that does not parse.</summary>
    public const string MalformedServerHello = "malformed_server_hello";

    /// <summary>A TLS 1.3 EncryptedExtensions message that does not parse.</summary>
    public const string MalformedEncryptedExtensions = "malformed_encrypted_extensions";

    /// <summary>A KeyUpdate outside TLS 1.3 application traffic.</summary>
    public const string UnexpectedKeyUpdate = "unexpected_key_update";

    /// <summary>A ServerHello version below TLS 1.0 or above TLS 1.3; the session can't be decrypted.</summary>
    public const string UnsupportedVersion = "unsupported_version";

    /// <summary>A negotiated cipher suite that can't be decrypted.</summary>
    public const string UnsupportedCipherSuite = "unsupported_cipher_suite";

    /// <summary>A negotiated cipher suite that does not belong to the negotiated version.</summary>
    public const string CipherSuiteVersionMismatch = "cipher_suite_version_mismatch";

    /// <summary>A record failed authentication with the keys from the key log (wrong or stale secret); the direction stops.</summary>
    public const string RecordAuthFailed = "record_auth_failed";

    /// <summary>More ciphertext waiting for keys than the pending ciphertext limit; the direction stops.</summary>
    public const string PendingCiphertextLimit = "pending_ciphertext_limit";

    /// <summary>A TLS session waiting for its keys was evicted from the parking lot to make room.</summary>
    public const string ParkedSessionEvicted = "parked_session_evicted";

    /// <summary>A key log entry was evicted because the key log is full.</summary>
    public const string KeylogEvicted = "keylog_evicted";

    /// <summary>A key log line that is not NSS key log format.</summary>
    public const string KeylogMalformedLine = "keylog_malformed_line";

    /// <summary>Following a key log file failed unexpectedly (caught at the stage boundary).</summary>
    public const string KeylogFollowError = "keylog_follow_error";

    /// <summary>A followed key log file can't be opened or read.</summary>
    public const string KeylogUnreadable = "keylog_unreadable";

    /// <summary>A followed key log path is not a regular file (a FIFO, device or directory); not read.</summary>
    public const string KeylogNotRegularFile = "keylog_not_regular_file";

    /// <summary>A followed key log file was replaced (a new inode); it is read from the start.</summary>
    public const string KeylogReplaced = "keylog_replaced";

    /// <summary>A followed key log file shrank; it is read from the start.</summary>
    public const string KeylogTruncated = "keylog_truncated";

    /// <summary>A followed key log line longer than the line limit; skipped.</summary>
    public const string KeylogLineTooLong = "keylog_line_too_long";

    /// <summary>More key log files matched than the followed file limit; later ones are not followed.</summary>
    public const string KeylogTooManyFiles = "keylog_too_many_files";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Tls, StreamGap, "Bytes lost from a TLS stream; records can't be framed after it and the direction stops."),
        new(AnomalyStage.Tls, UndecryptedAtClose, "The flow closed with ciphertext still waiting for keys."),
        new(AnomalyStage.Tls, TruncatedRecordAtClose, "The flow closed in the middle of a TLS record."),
        new(AnomalyStage.Tls, BadRecordHeader, "A TLS record header with an unknown content type or version; the direction stops."),
        new(AnomalyStage.Tls, RecordTooLarge, "A TLS record longer than the record size limit; the direction stops."),
        new(AnomalyStage.Tls, MissingClientHello, "A TLS session whose ClientHello was not seen (capture started mid-handshake); it can't be decrypted."),
        new(AnomalyStage.Tls, UnexpectedChangeCipherSpec, "A ChangeCipherSpec before the ServerHello."),
        new(AnomalyStage.Tls, HandshakeSpansKeyChange, "A handshake message split across a key change (RFC 8446 5.1)."),
        new(AnomalyStage.Tls, PlaintextApplicationData, "Application data sent before encryption was set up."),
        new(AnomalyStage.Tls, Renegotiation, "A renegotiation (a second ClientHello or HelloRequest); the new keys are not followed."),
        new(AnomalyStage.Tls, UnexpectedPlaintextRecord, "A TLS 1.3 unprotected record other than an alert after the ServerHello."),
        new(AnomalyStage.Tls, EarlyDataUndecryptable, "TLS 1.3 early data that could not be decrypted with the early traffic secret."),
        new(AnomalyStage.Tls, ApplicationDataUnderHandshakeKeys, "Application data protected with TLS 1.3 handshake keys."),
        new(AnomalyStage.Tls, InnerPlaintextWithoutType, "A decrypted TLS 1.3 record whose inner content type is 0: all padding (RFC 8446 5.4)."),
        new(AnomalyStage.Tls, UnexpectedContentType, "A decrypted record of a content type not allowed at this point."),
        new(AnomalyStage.Tls, KeyRejected, "Key material the cryptography library rejects (a weak DES/3DES key); the direction can't be decrypted."),
        new(AnomalyStage.Tls, HandshakeMessageTooLarge, "A handshake message longer than the handshake message limit; the direction stops."),
        new(AnomalyStage.Tls, UnexpectedHandshakeMessage, "A handshake message of a type not allowed at this point of the handshake."),
        new(AnomalyStage.Tls, MalformedClientHello, "A ClientHello that does not parse."),
        new(AnomalyStage.Tls, ClientRandomChangedAfterRetry, "A second ClientHello after a HelloRetryRequest with a different random (RFC 8446 4.1.2)."),
        new(AnomalyStage.Tls, MalformedServerHello, "A ServerHello that does not parse."),
        new(AnomalyStage.Tls, MalformedEncryptedExtensions, "A TLS 1.3 EncryptedExtensions message that does not parse."),
        new(AnomalyStage.Tls, UnexpectedKeyUpdate, "A KeyUpdate outside TLS 1.3 application traffic."),
        new(AnomalyStage.Tls, UnsupportedVersion, "A ServerHello version below TLS 1.0 or above TLS 1.3; the session can't be decrypted."),
        new(AnomalyStage.Tls, UnsupportedCipherSuite, "A negotiated cipher suite that can't be decrypted."),
        new(AnomalyStage.Tls, CipherSuiteVersionMismatch, "A negotiated cipher suite that does not belong to the negotiated version."),
        new(AnomalyStage.Tls, RecordAuthFailed, "A record failed authentication with the keys from the key log (wrong or stale secret); the direction stops."),
        new(AnomalyStage.Tls, PendingCiphertextLimit, "More ciphertext waiting for keys than the pending ciphertext limit; the direction stops."),
        new(AnomalyStage.Tls, ParkedSessionEvicted, "A TLS session waiting for its keys was evicted from the parking lot to make room."),
        new(AnomalyStage.Tls, KeylogEvicted, "A key log entry was evicted because the key log is full."),
        new(AnomalyStage.Tls, KeylogMalformedLine, "A key log line that is not NSS key log format."),
        new(AnomalyStage.Tls, KeylogFollowError, "Following a key log file failed unexpectedly (caught at the stage boundary)."),
        new(AnomalyStage.Tls, KeylogUnreadable, "A followed key log file can't be opened or read."),
        new(AnomalyStage.Tls, KeylogNotRegularFile, "A followed key log path is not a regular file (a FIFO, device or directory); not read."),
        new(AnomalyStage.Tls, KeylogReplaced, "A followed key log file was replaced (a new inode); it is read from the start."),
        new(AnomalyStage.Tls, KeylogTruncated, "A followed key log file shrank; it is read from the start."),
        new(AnomalyStage.Tls, KeylogLineTooLong, "A followed key log line longer than the line limit; skipped."),
        new(AnomalyStage.Tls, KeylogTooManyFiles, "More key log files matched than the followed file limit; later ones are not followed."),
    ];
}
