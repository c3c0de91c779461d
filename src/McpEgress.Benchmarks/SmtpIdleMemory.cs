using McpEgress.Diagnostics;
using McpEgress.Protocols.Smtp;

namespace McpEgress.Benchmarks;

/// <summary>
/// What an idle SMTP session holds: N sessions kept alive after the opening of a connection, then silence (as in
/// <c>flow-flood</c>); the retained heap divided by N, and the bytes allocated on the way. Two openings: the server's
/// banner and the client's EHLO (the flood), and the same with the server's multi-line EHLO reply.
/// </summary>
internal static class SmtpIdleMemory
{
    private sealed class NoTransactions : ISmtpTransactionHandler
    {
        public void OnTransaction(SmtpTransaction transaction) { }
    }

    private static readonly byte[] Banner = "220 mx.example ESMTP\r\n"u8.ToArray();
    private static readonly byte[] Ehlo = "EHLO flood.example\r\n"u8.ToArray();
    private static readonly byte[] EhloReply =
        "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n"u8.ToArray();

    public static int Run(int sessions)
    {
        Measure(sessions, "banner + EHLO", withReply: false);
        Measure(sessions, "banner + EHLO + 8-keyword reply", withReply: true);
        return 0;
    }

    /// <summary>Bytes one idle session allocates on this thread, and the session (tests bound both; they link this file).</summary>
    internal static (long Bytes, SmtpSession Session) AllocatedBy(bool withReply)
    {
        var handler = new NoTransactions();
        var anomalies = new AnomalyCounters();
        Open(new SmtpSession(SmtpOptions.Default, handler, anomalies), withReply); // JIT and statics first
        long before = GC.GetAllocatedBytesForCurrentThread();
        var session = new SmtpSession(SmtpOptions.Default, handler, anomalies);
        Open(session, withReply);
        return (GC.GetAllocatedBytesForCurrentThread() - before, session);
    }

    private static void Measure(int sessions, string what, bool withReply)
    {
        var handler = new NoTransactions();
        var anomalies = new AnomalyCounters();
        var kept = new SmtpSession[sessions];
        // Warm up (JIT, statics) outside the measurement.
        Open(new SmtpSession(SmtpOptions.Default, handler, anomalies), withReply);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < sessions; i++)
        {
            var s = new SmtpSession(SmtpOptions.Default, handler, anomalies);
            Open(s, withReply);
            kept[i] = s;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"{sessions} idle SMTP sessions ({what}): {(after - before) / (double)sessions:F0} bytes held each, " +
                          $"{allocated / (double)sessions:F0} bytes allocated each");
        GC.KeepAlive(kept);
    }

    private static void Open(SmtpSession s, bool withReply)
    {
        s.OnServerData(Banner, 1);
        s.OnClientData(Ehlo, 2);
        if (withReply) s.OnServerData(EhloReply, 3);
    }
}
