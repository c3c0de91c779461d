using System.Buffers;
using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// Follows one TLS connection from both byte streams and, when the key log has its secrets, delivers the
/// authenticated application data of each direction in order. Bytes may arrive cut at any point.
/// Supports TLS 1.0, 1.1 and 1.2 (AES/ARIA/Camellia-GCM, AES-CCM, ChaCha20-Poly1305; AES, Camellia, ARIA, SEED,
/// IDEA, 3DES and DES in CBC with HMAC, with or without encrypt_then_mac; RC4 and NULL with HMAC) and TLS 1.3
/// (all five RFC 8446 suites, HelloRetryRequest, KeyUpdate, 0-RTT by trial decryption). SSL 3.0 is not decrypted.
/// Records that arrive before their keys are kept (bounded) and decrypted by <see cref="TryDecryptPending"/>
/// or automatically on the next data once the key log changed. Never throws on input; not thread-safe
/// (one flow's calls are never concurrent).
/// </summary>
public sealed class TlsSession : IDisposable
{
    private const byte ChangeCipherSpec = 20, Alert = 21, Handshake = 22, ApplicationData = 23, Heartbeat = 24;
    private const int HeaderLength = 5;
    private const ushort Tls10 = 0x0301, Tls12 = 0x0303, Tls13 = 0x0304;

    private readonly TlsOptions _options;
    private readonly TlsKeyLog _keys;
    private readonly ITlsSessionHandler _handler;
    private readonly IAnomalySink _anomalies;
    private readonly TlsDirectionState[] _dirs = [new(), new()];

    private TlsClientHello? _clientHello;
    private TlsServerHello? _serverHello;
    private TlsCipherSuite? _suite;
    private bool _awaitingSecondClientHello;
    private byte[]? _tls12KeyBlock;
    private long _keyVersionTried = -1;
    private bool _drainRequested;
    private bool _opaque;
    private bool _closed;

    public TlsSession(TlsOptions options, TlsKeyLog keys, ITlsSessionHandler handler, IAnomalySink anomalies)
    {
        _options = options;
        _keys = keys;
        _handler = handler;
        _anomalies = anomalies;
    }

    public TlsSessionInfo Info { get; } = new();

    /// <summary>Ciphertext held (both directions) because its keys are not known yet.</summary>
    public long PendingCiphertextBytes
    {
        get
        {
            long n = 0;
            foreach (var d in _dirs) n += d.PendingLength;
            return n;
        }
    }

    /// <summary>
    /// Nothing of this connection will ever be decrypted any more: it was found opaque (no key can come, unsupported
    /// version or suite, no ClientHello) or both directions stopped (gap, framing lost, authentication failed, pending
    /// limit). Later bytes only add to <see cref="TlsSessionInfo"/>'s byte and record counts.
    /// </summary>
    public bool DecryptionOver => _opaque || (IsOver(_dirs[0]) && IsOver(_dirs[1]));

    private static bool IsOver(TlsDirectionState d) => d.Phase is TlsDirectionPhase.Stopped or TlsDirectionPhase.Unframed;

    /// <summary>
    /// The layer above stops feeding this session (its flow was bypassed once <see cref="DecryptionOver"/>): a record
    /// cut across segments will never be completed here, so it is let go with its buffer, not reported truncated.
    /// </summary>
    public void StopFraming()
    {
        foreach (var d in _dirs)
        {
            d.RecordFill = 0;
            if (d.RecordBuffer is { } record) { d.RecordBuffer = null; ArrayPool<byte>.Shared.Return(record); }
        }
    }

    /// <summary>OnClose was called; nothing more will be decrypted.</summary>
    public bool Closed => _closed;

    private bool IsTls13 => _serverHello?.Version == Tls13;

    /// <summary>In-order bytes of one direction (ClientToServer is the side that sent the ClientHello).</summary>
    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data)
    {
        if (_closed || data.IsEmpty) return;
        var d = _dirs[(int)direction];
        Info.AddBytes(direction, data.Length);
        while (!data.IsEmpty && d.Phase != TlsDirectionPhase.Unframed)
        {
            // Fast path: a whole record in the caller's buffer is handled in place.
            if (d.RecordFill == 0 && data.Length >= HeaderLength)
            {
                if (!TryCheckHeader(direction, d, data)) break;
                int total = HeaderLength + ((data[3] << 8) | data[4]);
                if (data.Length >= total)
                {
                    OnRecord(direction, d, data[..total]);
                    data = data[total..];
                    continue;
                }
            }

            // Slow path: the record is cut; complete it in the direction's record buffer.
            // Pooled: a TLS flow costs nothing here until a record is cut across segments; returned at close.
            d.RecordBuffer ??= ArrayPool<byte>.Shared.Rent(HeaderLength + _options.MaxRecordBytes);
            var buffer = d.RecordBuffer;
            if (d.RecordFill < HeaderLength)
            {
                int take = Math.Min(HeaderLength - d.RecordFill, data.Length);
                data[..take].CopyTo(buffer.AsSpan(d.RecordFill));
                d.RecordFill += take;
                data = data[take..];
                if (d.RecordFill < HeaderLength) break;
                if (!TryCheckHeader(direction, d, buffer)) break;
            }
            int recordLength = HeaderLength + ((buffer[3] << 8) | buffer[4]);
            int bodyTake = Math.Min(recordLength - d.RecordFill, data.Length);
            data[..bodyTake].CopyTo(buffer.AsSpan(d.RecordFill));
            d.RecordFill += bodyTake;
            data = data[bodyTake..];
            if (d.RecordFill == recordLength)
            {
                d.RecordFill = 0;
                OnRecord(direction, d, buffer.AsSpan(0, recordLength));
            }
        }
        DrainIfNeeded();
    }

    /// <summary>
    /// Bytes of this direction were lost. Record boundaries and sequence numbers cannot be recovered, so the
    /// direction stops (anomaly <c>stream_gap</c>); the other direction carries on.
    /// </summary>
    public void OnGap(FlowDirection direction, long missingBytes)
    {
        var d = _dirs[(int)direction];
        if (_closed || d.Phase == TlsDirectionPhase.Unframed) return;
        _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.StreamGap);
        bool wasDecrypting = d.Phase != TlsDirectionPhase.Stopped;
        StopDirection(direction, wasDecrypting ? "gap in the TCP stream" : null);
        d.Phase = TlsDirectionPhase.Unframed;
    }

    /// <summary>The connection ended. Records still waiting for keys are given one last try, then dropped.</summary>
    public void OnClose()
    {
        if (_closed) return;
        DrainIfNeeded();
        foreach (var d in _dirs)
        {
            if (d.PendingLength > 0) _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UndecryptedAtClose);
            if (d.RecordFill > 0) _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.TruncatedRecordAtClose);
        }
        _closed = true;
        Dispose();
    }

    /// <summary>Decrypts records kept while keys were unknown. Call after the key log grew. True if any record was processed.</summary>
    public bool TryDecryptPending()
    {
        if (_closed) return false;
        _keyVersionTried = _keys.Version;
        _drainRequested = false;
        return DrainAll();
    }

    public void Dispose()
    {
        foreach (var d in _dirs)
        {
            d.SetProtection(null);
            d.DropEarlyProtection();
            d.Pending = null;
            d.PendingLength = 0;
            if (d.RecordBuffer is { } record) { d.RecordBuffer = null; ArrayPool<byte>.Shared.Return(record); }
            if (d.Plaintext is { } plain)
            {
                // Decrypted data must not linger in the shared pool; a record writes at most its body's length.
                plain.AsSpan(0, d.PlaintextUsed).Clear();
                d.Plaintext = null;
                d.PlaintextUsed = 0;
                ArrayPool<byte>.Shared.Return(plain);
            }
        }
    }

    /// <summary>TLSPlaintext header (RFC 5246 §6.2.1): known content type, major version 3, length within limits.</summary>
    private bool TryCheckHeader(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> header)
    {
        byte type = header[0];
        int length = (header[3] << 8) | header[4];
        string? anomaly = null;
        if (type is < ChangeCipherSpec or > Heartbeat || header[1] != 3 || header[2] > 4) anomaly = TlsAnomalies.BadRecordHeader;
        else if (length > _options.MaxRecordBytes) anomaly = TlsAnomalies.RecordTooLarge;
        if (anomaly is null) return true;

        _anomalies.Report(AnomalyStage.Tls, anomaly);
        StopDirection(direction, d.Phase == TlsDirectionPhase.Stopped ? null : "record framing lost");
        d.Phase = TlsDirectionPhase.Unframed;
        d.RecordFill = 0;
        return false;
    }

    private void OnRecord(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> record)
    {
        Info.AddRecord(direction);
        if (d.Phase is TlsDirectionPhase.Stopped or TlsDirectionPhase.Unframed) return;
        // Once one record waits, all later ones wait behind it: order is what the sequence numbers need.
        if (d.PendingLength > 0 || !HandleRecord(direction, d, record)) Enqueue(direction, d, record);
    }

    /// <summary>Handles one whole record. False when it cannot be handled yet (ServerHello or keys missing).</summary>
    private bool HandleRecord(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> record)
    {
        if (_opaque || d.Phase is TlsDirectionPhase.Stopped or TlsDirectionPhase.Unframed) return true;
        byte type = record[0];
        var body = record[HeaderLength..];
        bool isClient = direction == FlowDirection.ClientToServer;

        if (_clientHello is null)
        {
            // Before a complete ClientHello only the client's handshake records make sense.
            if (!isClient) return false;
            if (type != Handshake)
            {
                _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.MissingClientHello);
                MakeOpaque("no ClientHello at the start of the stream");
                return true;
            }
        }
        else if (isClient && _serverHello is null && !_awaitingSecondClientHello && d.Phase == TlsDirectionPhase.Plaintext)
        {
            // After its hello the client's records (CCS, 0-RTT data) are read once the ServerHello tells us how.
            return false;
        }

        if (d.Phase == TlsDirectionPhase.Plaintext)
        {
            switch (type)
            {
                case Handshake:
                    FeedHandshake(direction, d, body);
                    return true;
                case ChangeCipherSpec:
                    if (_serverHello is null && Info.HelloRetryRequest) return true; // TLS 1.3 compatibility CCS (RFC 8446 §D.4)
                    if (_serverHello is null) { _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedChangeCipherSpec); return true; }
                    if (IsTls13) return true;
                    if (d.HandshakeMessageInProgress) { _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.HandshakeSpansKeyChange); d.ResetHandshake(); }
                    d.Phase = TlsDirectionPhase.Protected; // TLS 1.2: the next record is under the new keys, seq 0
                    return true;
                case Alert:
                    OnAlert(body);
                    return true;
                case ApplicationData:
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.PlaintextApplicationData);
                    StopDirection(direction, "application data before the keys were negotiated");
                    return true;
                default:
                    return true; // heartbeat
            }
        }

        // Protected phase.
        if (type == ChangeCipherSpec)
        {
            if (IsTls13) return true; // compatibility CCS, may come at any point of the handshake
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.Renegotiation);
            StopDirection(direction, "TLS 1.2 renegotiation is not supported");
            return true;
        }
        if (IsTls13 && type != ApplicationData)
        {
            // TLS 1.3 protected records are always type 23 outside; a plaintext alert is still legal.
            if (type == Alert) OnAlert(body);
            else _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedPlaintextRecord);
            return true;
        }
        return DecryptRecord(direction, d, record[..HeaderLength], body);
    }

    private bool DecryptRecord(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        // Keys missing: wait (false); a key the cipher refused stops the direction (handled).
        if (d.Protection is null && !TryInstallKeys(direction, d)) return d.Phase == TlsDirectionPhase.Stopped;
        d.Plaintext ??= ArrayPool<byte>.Shared.Rent(_options.MaxRecordBytes);
        d.PlaintextUsed = Math.Max(d.PlaintextUsed, Math.Min(body.Length, d.Plaintext.Length));
        int length;
        byte contentType;

        if (d.Stage == Tls13KeyStage.EarlyTrial && IsTls13)
        {
            // 0-RTT: the server may have rejected the early data, so try the early key, then the handshake key;
            // records failing both are skipped like the server skips them (RFC 8446 §4.2.10).
            if (d.EarlyProtection is not null && d.EarlyProtection.TryDecrypt(header, body, d.Plaintext, out length, out contentType))
            {
                return ProcessDecrypted(direction, d, contentType, length);
            }
            if (d.Protection!.TryDecrypt(header, body, d.Plaintext, out length, out contentType))
            {
                d.Stage = Tls13KeyStage.Handshake;
                d.DropEarlyProtection();
                return ProcessDecrypted(direction, d, contentType, length);
            }
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.EarlyDataUndecryptable);
            if (++d.SkippedEarlyRecords > _options.MaxSkippedEarlyDataRecords) AuthFailed(direction);
            return true;
        }

        if (!d.Protection!.TryDecrypt(header, body, d.Plaintext, out length, out contentType))
        {
            AuthFailed(direction);
            return true;
        }
        return ProcessDecrypted(direction, d, contentType, length);
    }

    private bool ProcessDecrypted(FlowDirection direction, TlsDirectionState d, byte contentType, int length)
    {
        Info.Decrypted = true;
        var plaintext = d.Plaintext.AsSpan(0, length);
        switch (contentType)
        {
            case ApplicationData:
                if (IsTls13 && d.Stage == Tls13KeyStage.Handshake)
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.ApplicationDataUnderHandshakeKeys);
                    break;
                }
                CompleteHandshake();
                Info.AddPlaintext(direction, length);
                if (length > 0) _handler.OnPlaintext(direction, plaintext);
                break;
            case Handshake:
                FeedHandshake(direction, d, plaintext);
                break;
            case Alert:
                OnAlert(plaintext);
                break;
            case 0:
                _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.InnerPlaintextWithoutType);
                break;
            default:
                _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedContentType);
                break;
        }
        ApplyKeyChange(d);
        return true;
    }

    /// <summary>Key changes apply from the next record: messages that trigger them end their record (RFC 8446 §5.1).</summary>
    private void ApplyKeyChange(TlsDirectionState d)
    {
        var change = d.KeyChangeAfterRecord;
        if (change == Tls13KeyChange.None) return;
        d.KeyChangeAfterRecord = Tls13KeyChange.None;
        if (d.HandshakeMessageInProgress)
        {
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.HandshakeSpansKeyChange);
            d.ResetHandshake();
        }
        switch (change)
        {
            case Tls13KeyChange.ToApplication:
                d.Stage = Tls13KeyStage.Application;
                d.DropEarlyProtection();
                d.SetProtection(null); // installed from *_TRAFFIC_SECRET_0 on the next record
                break;
            case Tls13KeyChange.ToHandshake:
                d.Stage = Tls13KeyStage.Handshake;
                d.DropEarlyProtection();
                break;
            case Tls13KeyChange.KeyUpdate when d.Protection is Tls13RecordProtection current:
                d.SetProtection(current.NextGeneration());
                Info.KeyUpdates++;
                break;
        }
    }

    private bool TryInstallKeys(FlowDirection direction, TlsDirectionState d)
    {
        if (_suite is null || _clientHello is null || _serverHello is null) return false;
        var random = _clientHello.Random;
        bool isClient = direction == FlowDirection.ClientToServer;
        if (IsTls13)
        {
            var kind = d.Stage switch
            {
                Tls13KeyStage.Application => isClient ? TlsSecretKind.ClientTrafficSecret0 : TlsSecretKind.ServerTrafficSecret0,
                _ => isClient ? TlsSecretKind.ClientHandshakeTrafficSecret : TlsSecretKind.ServerHandshakeTrafficSecret,
            };
            if (!_keys.TryFindSecret(random, kind, out var secret)) return false;
            d.SetProtection(new Tls13RecordProtection(_suite, secret));
            if (d.Stage == Tls13KeyStage.EarlyTrial && _keys.TryFindSecret(random, TlsSecretKind.ClientEarlyTrafficSecret, out var early))
            {
                d.DropEarlyProtection();
                d.EarlyProtection = new Tls13RecordProtection(_suite, early);
            }
            return true;
        }

        if (_tls12KeyBlock is null)
        {
            if (!_keys.TryFindSecret(random, TlsSecretKind.MasterSecret, out var master)) return false;
            // key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 §6.3;
            // RFC 2246 §6.3 with the MD5/SHA-1 PRF for TLS 1.0 and 1.1).
            Span<byte> seed = stackalloc byte[64];
            _serverHello.Random.CopyTo(seed);
            random.CopyTo(seed[32..]);
            int size = 2 * (_suite.MacLength + _suite.KeyLength + _suite.FixedIvLength);
            _tls12KeyBlock = _serverHello.Version >= Tls12
                ? TlsKeyDerivation.Prf(_suite.PrfHash, master.Span, "key expansion", seed, size)
                : TlsKeyDerivation.Tls10Prf(master.Span, "key expansion", seed, size);
        }
        // client_write_MAC_key, server_write_MAC_key, client_write_key, server_write_key, client_write_IV, server_write_IV
        var kb = _tls12KeyBlock.AsSpan();
        int mac = _suite.MacLength, key = _suite.KeyLength, iv = _suite.FixedIvLength;
        int side = isClient ? 0 : 1;
        var macKey = kb.Slice(side * mac, mac);
        var encKey = kb.Slice(2 * mac + side * key, key);
        var fixedIv = kb.Slice(2 * mac + 2 * key + side * iv, iv);
        try
        {
            d.SetProtection(
                _suite.IsAead ? new Tls12AeadRecordProtection(_suite, encKey, fixedIv)
                : _suite.IsStream ? new TlsStreamRecordProtection(_suite, macKey, encKey)
                // TLS 1.0 chains CBC IVs starting from the key block's; TLS 1.1+ records carry their own.
                : new TlsCbcRecordProtection(_suite, macKey, encKey, _serverHello.Version == Tls10 ? fixedIv : default, Info.EncryptThenMac));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // e.g. a 3DES/DES key the framework rejects as weak: no way to decrypt this direction.
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.KeyRejected);
            StopDirection(direction, "the cipher rejected the derived key");
            return false;
        }
        return true;
    }

    /// <summary>Reassembles handshake messages across records (and several per record) without copying whole ones.</summary>
    private void FeedHandshake(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (d.HandshakeHeaderFill < 4)
            {
                int take = Math.Min(4 - d.HandshakeHeaderFill, data.Length);
                data[..take].CopyTo(d.HandshakeHeader.AsSpan(d.HandshakeHeaderFill));
                d.HandshakeHeaderFill += take;
                data = data[take..];
                if (d.HandshakeHeaderFill < 4) return;

                var h = d.HandshakeHeader;
                int length = (h[1] << 16) | (h[2] << 8) | h[3];
                d.HandshakeBodyLength = length;
                d.HandshakeBodyFill = 0;
                bool parsed = IsParsedMessage(h[0]);
                if (parsed && data.Length >= length)
                {
                    // Whole message in this record: parse in place.
                    byte t = h[0];
                    d.ResetHandshake();
                    OnHandshakeMessage(direction, d, t, data[..length], complete: true);
                    data = data[length..];
                    continue;
                }
                if (parsed && length > _options.MaxHandshakeMessageBytes)
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.HandshakeMessageTooLarge);
                    parsed = false;
                }
                d.HandshakeBody = parsed ? new byte[length] : null;
            }

            int bodyTake = Math.Min(d.HandshakeBodyLength - d.HandshakeBodyFill, data.Length);
            if (d.HandshakeBody is not null) data[..bodyTake].CopyTo(d.HandshakeBody.AsSpan(d.HandshakeBodyFill));
            d.HandshakeBodyFill += bodyTake;
            data = data[bodyTake..];
            if (d.HandshakeBodyFill == d.HandshakeBodyLength)
            {
                byte type = d.HandshakeHeader[0];
                var body = d.HandshakeBody;
                d.ResetHandshake();
                OnHandshakeMessage(direction, d, type, body, complete: body is not null);
            }
        }
    }

    private static bool IsParsedMessage(byte type) => type is 1 or 2 or 5 or 8 or 20 or 24;

    private void OnHandshakeMessage(FlowDirection direction, TlsDirectionState d, byte type, ReadOnlySpan<byte> body, bool complete)
    {
        bool isClient = direction == FlowDirection.ClientToServer;
        switch (type)
        {
            case 1: // client_hello
                if (!complete) break;
                if (!isClient || d.Phase != TlsDirectionPhase.Plaintext)
                {
                    _anomalies.Report(AnomalyStage.Tls, isClient ? TlsAnomalies.Renegotiation : TlsAnomalies.UnexpectedHandshakeMessage);
                    break;
                }
                if (!TlsHelloParser.TryParseClientHello(body, out var ch))
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.MalformedClientHello);
                    MakeOpaque("malformed ClientHello");
                    break;
                }
                if (_clientHello is null)
                {
                    _clientHello = ch;
                    Info.ClientRandom = ch.Random;
                    _keys.Want(ch.Random); // junk key log lines must not evict this session's keys
                    Info.ServerName = ch.ServerName;
                    Info.AlpnOffered = ch.Alpn;
                    Info.EarlyDataOffered = ch.EarlyData;
                }
                else if (_awaitingSecondClientHello)
                {
                    // After a HelloRetryRequest the client repeats its hello, random included (RFC 8446 §4.1.2).
                    _awaitingSecondClientHello = false;
                    if (!ch.Random.AsSpan().SequenceEqual(_clientHello.Random)) _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.ClientRandomChangedAfterRetry);
                }
                else
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedHandshakeMessage);
                }
                _drainRequested = true;
                break;

            case 2: // server_hello
                if (!complete) break;
                if (isClient || _serverHello is not null || _clientHello is null)
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedHandshakeMessage);
                    break;
                }
                if (!TlsHelloParser.TryParseServerHello(body, out var sh))
                {
                    _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.MalformedServerHello);
                    MakeOpaque("malformed ServerHello");
                    break;
                }
                OnServerHello(sh);
                break;

            case 8: // encrypted_extensions (TLS 1.3)
                if (!complete) break;
                if (TlsHelloParser.TryParseEncryptedExtensions(body, out var alpn, out var earlyAccepted))
                {
                    Info.AlpnSelected = alpn;
                    Info.EarlyDataAccepted = earlyAccepted;
                }
                else _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.MalformedEncryptedExtensions);
                break;

            case 20: // finished
                d.FinishedSeen = true;
                if (IsTls13 && d.Phase == TlsDirectionPhase.Protected && d.Stage != Tls13KeyStage.Application)
                    d.KeyChangeAfterRecord = Tls13KeyChange.ToApplication;
                if (_dirs[0].FinishedSeen && _dirs[1].FinishedSeen) CompleteHandshake();
                break;

            case 5: // end_of_early_data
                if (IsTls13 && isClient && d.Stage == Tls13KeyStage.EarlyTrial) d.KeyChangeAfterRecord = Tls13KeyChange.ToHandshake;
                break;

            case 24: // key_update
                if (IsTls13 && d.Stage == Tls13KeyStage.Application) d.KeyChangeAfterRecord = Tls13KeyChange.KeyUpdate;
                else _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnexpectedKeyUpdate);
                break;
        }
    }

    private void OnServerHello(TlsServerHello sh)
    {
        Info.Version = sh.Version;
        Info.CipherSuite = sh.CipherSuite;
        if (sh.IsHelloRetryRequest)
        {
            // RFC 8446 §4.1.4: the client sends a second ClientHello; the real ServerHello follows it.
            Info.HelloRetryRequest = true;
            _awaitingSecondClientHello = true;
            _drainRequested = true;
            return;
        }

        _serverHello = sh;
        _suite = TlsCipherSuite.Find(sh.CipherSuite);
        _drainRequested = true;
        if (sh.Version == Tls13) Info.Resumed = sh.PreSharedKey;
        else
        {
            // Session id or ticket resumption: the server echoes the client's session id (RFC 5246 §7.4.1.3, RFC 5077 §3.4).
            Info.Resumed = sh.SessionId.Length > 0 && sh.SessionId.AsSpan().SequenceEqual(_clientHello!.SessionId);
            Info.AlpnSelected = sh.Alpn;
            Info.EncryptThenMac = sh.EncryptThenMac && _suite?.IsBlock == true;
        }

        if (sh.Version is < Tls10 or > Tls13)
        {
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnsupportedVersion);
            MakeOpaque($"unsupported version {Info.VersionName}");
            return;
        }
        if (_suite is null || _suite.IsTls13 != (sh.Version == Tls13))
        {
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.UnsupportedCipherSuite);
            MakeOpaque($"unsupported cipher suite {TlsCipherSuite.NameOf(sh.CipherSuite)}");
            return;
        }
        if (_suite.RequiresTls12 && sh.Version < Tls12)
        {
            // AEAD and SHA-256/384 suites do not exist before TLS 1.2; no real peer negotiates them there.
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.CipherSuiteVersionMismatch);
            MakeOpaque($"{_suite.Name} is not defined for {Info.VersionName}");
            return;
        }
        if (sh.Version == Tls13)
        {
            // Everything after the ServerHello is protected (RFC 8446 §2): the server's next record under the
            // server handshake secret; the client's records (after its hello) under the client handshake secret,
            // or first its 0-RTT key when it offered early data without a retry.
            var server = _dirs[(int)FlowDirection.ServerToClient];
            var client = _dirs[(int)FlowDirection.ClientToServer];
            server.Phase = TlsDirectionPhase.Protected;
            server.Stage = Tls13KeyStage.Handshake;
            if (client.Phase == TlsDirectionPhase.Plaintext)
            {
                client.Phase = TlsDirectionPhase.Protected;
                client.Stage = Info.EarlyDataOffered && !Info.HelloRetryRequest ? Tls13KeyStage.EarlyTrial : Tls13KeyStage.Handshake;
            }
        }
    }

    private void CompleteHandshake()
    {
        if (Info.HandshakeComplete) return;
        Info.HandshakeComplete = true;
        _handler.OnHandshakeComplete(Info);
    }

    private void OnAlert(ReadOnlySpan<byte> body)
    {
        Info.AlertSeen = true;
        if (body.Length < 2) return;
        Info.LastAlert = (ushort)((body[0] << 8) | body[1]);
        if (body[0] == 2) Info.FatalAlertSeen = true;
    }

    private void AuthFailed(FlowDirection direction)
    {
        _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.RecordAuthFailed);
        StopDirection(direction, "record authentication failed (wrong key or corrupted record)");
    }

    /// <summary>No more decryption for this direction; buffered ciphertext is released.</summary>
    private void StopDirection(FlowDirection direction, string? reason)
    {
        var d = _dirs[(int)direction];
        bool wasStopped = d.Phase is TlsDirectionPhase.Stopped or TlsDirectionPhase.Unframed;
        d.Phase = TlsDirectionPhase.Stopped;
        d.Pending = null;
        d.PendingLength = 0;
        d.SetProtection(null);
        d.DropEarlyProtection();
        d.ResetHandshake();
        if (!wasStopped && reason is not null) _handler.OnDecryptionFailed(direction, reason);
    }

    private void MakeOpaque(string reason)
    {
        _opaque = true;
        StopDirection(FlowDirection.ClientToServer, reason);
        StopDirection(FlowDirection.ServerToClient, reason);
    }

    private void Enqueue(FlowDirection direction, TlsDirectionState d, ReadOnlySpan<byte> record)
    {
        if (d.Phase is TlsDirectionPhase.Stopped or TlsDirectionPhase.Unframed) return;
        if (_keys.Complete && _clientHello is not null && !_keys.Contains(_clientHello.Random))
        {
            // No key can come for this session any more: holding its records would only cost copies and memory.
            MakeOpaque("no key for this session in the key logs");
            return;
        }
        int needed = d.PendingLength + record.Length;
        if (needed > _options.MaxPendingCiphertextBytes)
        {
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.PendingCiphertextLimit);
            StopDirection(direction, "keys did not arrive before the pending ciphertext limit");
            return;
        }
        if (d.Pending is null || d.Pending.Length < needed)
        {
            int size = Math.Min(_options.MaxPendingCiphertextBytes, Math.Max(needed, Math.Max(4096, (d.Pending?.Length ?? 0) * 2)));
            var grown = new byte[size];
            if (d.Pending is not null) d.Pending.AsSpan(0, d.PendingLength).CopyTo(grown);
            d.Pending = grown;
        }
        record.CopyTo(d.Pending.AsSpan(d.PendingLength));
        d.PendingLength = needed;
    }

    private void DrainIfNeeded()
    {
        if (!_drainRequested && (_keys.Version == _keyVersionTried || (_dirs[0].PendingLength | _dirs[1].PendingLength) == 0)) return;
        _drainRequested = false;
        _keyVersionTried = _keys.Version;
        DrainAll();
    }

    private bool DrainAll()
    {
        bool any = false, progress;
        do
        {
            // Client first: a request is delivered before its response when both waited for keys.
            progress = Drain(FlowDirection.ClientToServer);
            progress |= Drain(FlowDirection.ServerToClient);
            any |= progress;
        } while (progress);
        return any;
    }

    private bool Drain(FlowDirection direction)
    {
        var d = _dirs[(int)direction];
        var buffer = d.Pending;
        if (buffer is null || d.PendingLength == 0) return false;
        int offset = 0;
        bool progress = false;
        while (offset < d.PendingLength)
        {
            int length = HeaderLength + ((buffer[offset + 3] << 8) | buffer[offset + 4]);
            bool handled = HandleRecord(direction, d, buffer.AsSpan(offset, length));
            if (d.Pending != buffer) return true; // the direction stopped and released its buffer
            if (!handled) break;
            offset += length;
            progress = true;
        }
        if (offset > 0)
        {
            buffer.AsSpan(offset, d.PendingLength - offset).CopyTo(buffer);
            d.PendingLength -= offset;
        }
        return progress;
    }
}
