namespace McpEgress.Protocols.Routing;

/// <summary>An ended TLS flow whose records wait for keys in the <see cref="TlsParkingLot"/>.</summary>
internal interface IParkedTlsFlow
{
    /// <summary>Ciphertext held while the keys are unknown.</summary>
    long PendingBytes { get; }

    /// <summary>Packet time the flow ended; the hold is counted from it.</summary>
    long CloseTimestampNs { get; }

    /// <summary>Tries the held records with the keys known now. True when the flow is done (decrypted or given up).</summary>
    bool RetryParked();

    /// <summary>Stops waiting: reports the flow as it is (opaque where still undecrypted).</summary>
    void Finish();
}
