namespace McpEgress.Protocols.Tls;

/// <summary>Per-direction state of a <see cref="TlsSession"/>: record framing, handshake reassembly, keys, pending ciphertext.</summary>
internal sealed class TlsDirectionState
{
    public TlsDirectionPhase Phase;

    // Record framing: a record cut across OnData calls is completed here (allocated on first need).
    public byte[]? RecordBuffer;
    public int RecordFill;

    // Handshake message reassembly (RFC 8446 §5.1: messages may span records and share them).
    public readonly byte[] HandshakeHeader = new byte[4];
    public int HandshakeHeaderFill;
    public int HandshakeBodyLength;
    public int HandshakeBodyFill;
    /// <summary>Body kept for parsing, or null while a message we do not parse is skipped.</summary>
    public byte[]? HandshakeBody;

    public TlsRecordProtection? Protection;
    /// <summary>TLS 1.3 client in <see cref="Tls13KeyStage.EarlyTrial"/>: the 0-RTT key, if the key log has it.</summary>
    public TlsRecordProtection? EarlyProtection;
    public Tls13KeyStage Stage = Tls13KeyStage.Handshake;
    /// <summary>TLS 1.3 key change that takes effect after the current record (Finished, EndOfEarlyData, KeyUpdate).</summary>
    public Tls13KeyChange KeyChangeAfterRecord;
    public bool FinishedSeen;
    public int SkippedEarlyRecords;

    // Whole records waiting for keys or for the ServerHello, in arrival order.
    public byte[]? Pending;
    public int PendingLength;

    public byte[]? Plaintext;
    /// <summary>
    /// Bytes at the start of <see cref="Plaintext"/> a decryption may have written (the longest record body so far):
    /// only those are cleared when the buffer goes back to the pool, not the whole 32 KB rented array.
    /// </summary>
    public int PlaintextUsed;

    public bool HandshakeMessageInProgress => HandshakeHeaderFill > 0;

    public void ResetHandshake()
    {
        HandshakeHeaderFill = 0;
        HandshakeBodyFill = 0;
        HandshakeBodyLength = 0;
        HandshakeBody = null;
    }

    public void SetProtection(TlsRecordProtection? protection)
    {
        Protection?.Dispose();
        Protection = protection;
    }

    public void DropEarlyProtection()
    {
        EarlyProtection?.Dispose();
        EarlyProtection = null;
    }
}
