using McpEgress.Diagnostics;
using McpEgress.Protocols.Smtp;

namespace McpEgress.Benchmarks;

/// <summary>
/// What an idle SMTP session holds: N sessions, each fed the server's banner and the client's EHLO (then silence, as
/// in <c>flow-flood</c>), kept alive; the retained heap divided by N, and the bytes allocated on the way.
/// </summary>
internal static class SmtpIdleMemory
{
    private sealed class NoTransactions : ISmtpTransactionHandler
    {
        public void OnTransaction(SmtpTransaction transaction) { }
    }

    public static int Run(int sessions)
    {
        byte[] banner = "220 mx.example ESMTP\r\n"u8.ToArray(), ehlo = "EHLO flood.example\r\n"u8.ToArray();
        var handler = new NoTransactions();
        var anomalies = new AnomalyCounters();
        var kept = new SmtpSession[sessions];
        // Warm up (JIT, statics) outside the measurement.
        Feed(new SmtpSession(SmtpOptions.Default, handler, anomalies), banner, ehlo);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < sessions; i++)
        {
            var s = new SmtpSession(SmtpOptions.Default, handler, anomalies);
            Feed(s, banner, ehlo);
            kept[i] = s;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"{sessions} idle SMTP sessions (banner + EHLO): {(after - before) / (double)sessions:F0} bytes held each, " +
                          $"{allocated / (double)sessions:F0} bytes allocated each");
        GC.KeepAlive(kept);
        return 0;
    }

    private static void Feed(SmtpSession s, byte[] banner, byte[] ehlo)
    {
        s.OnServerData(banner, 1);
        s.OnClientData(ehlo, 2);
    }
}
