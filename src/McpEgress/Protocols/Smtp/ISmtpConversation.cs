namespace McpEgress.Protocols.Smtp;

/// <summary>
/// What <see cref="SmtpDirectionScheduler"/> needs from the protocol it feeds: each direction parses until it would
/// need the other one, and says so. Implemented by <see cref="SmtpConversation"/>; tests drive the scheduler with others.
/// </summary>
internal interface ISmtpConversation
{
    /// <summary>Parses client bytes until they run out, the client must wait on a reply, or the rest is TLS. Returns bytes taken.</summary>
    int ParseClient(ReadOnlySpan<byte> data, long ts);

    /// <summary>
    /// Parses server bytes until they run out, the rest is TLS, or (unless <paramref name="force"/>) a reply starts
    /// that no command is waiting for yet. Returns bytes taken.
    /// </summary>
    int ParseServer(ReadOnlySpan<byte> data, long ts, bool force);

    bool ClientIsTls { get; }
    bool ServerIsTls { get; }

    /// <summary>The client's next bytes can't be parsed before a reply is seen.</summary>
    bool ClientBlocked { get; }

    /// <summary>The client waits on a reply that decides what its next bytes mean (354, 220, 334).</summary>
    bool ClientAwaitsReply { get; }

    /// <summary>Stops the client's wait as if the usual reply had come (354 to DATA, 220 to STARTTLS, AUTH done).</summary>
    void AssumeUsualReply();

    /// <summary>Client bytes were lost; everything before the hole has been parsed.</summary>
    void OnClientGap(long missingBytes);

    /// <summary>Server bytes were lost; everything before the hole has been parsed.</summary>
    void OnServerGap();

    /// <summary>The connection ended; everything that could be parsed has been.</summary>
    void OnClose(long ts);
}
