using McpEgress.Mail;

namespace McpEgress.Tests.Detection;

/// <summary>
/// <see cref="RecipientResolver"/> scans short lists and hashes long ones: both give, for any message, what the
/// definition says (every Bcc/Resent-Bcc address, then every accepted envelope recipient no visible header shows, each
/// once, case-insensitively, in that order) — checked here against the definition written out with sets.
/// </summary>
public sealed class RecipientResolverTests
{
    private static List<(string, HiddenReason)> ByDefinition(MailMessage m)
    {
        var visible = new HashSet<string>(m.To.Concat(m.Cc).Concat(m.ResentTo).Concat(m.ResentCc).Select(a => a.Address), StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<(string, HiddenReason)>();
        foreach (var a in m.Bcc.Concat(m.ResentBcc))
            if (a.Address.Length > 0 && seen.Add(a.Address)) result.Add((a.Address, HiddenReason.BccField));
        foreach (var r in m.Envelope?.RcptTo ?? [])
            if (r.Accepted && r.Address.Length > 0 && !visible.Contains(r.Address) && seen.Add(r.Address)) result.Add((r.Address, HiddenReason.EnvelopeOnly));
        foreach (var a in m.ApiEnvelope)
            if (a.Address.Length > 0 && !visible.Contains(a.Address) && seen.Add(a.Address)) result.Add((a.Address, HiddenReason.EnvelopeOnly));
        return result;
    }

    [Fact]
    public void ShortAndLongListsGiveTheDefinedHiddenRecipients()
    {
        int seed = TestSeed.For(nameof(ShortAndLongListsGiveTheDefinedHiddenRecipients));
        var rng = new Random(seed);
        string[] pool = [.. Enumerable.Range(0, 30).Select(i => $"user{i}@d{i % 7}.example"), ""];
        string Pick() { var a = pool[rng.Next(pool.Length)]; return rng.Next(3) == 0 ? a.ToUpperInvariant() : a; }
        IReadOnlyList<MailAddress> List(int max) => [.. Enumerable.Range(0, rng.Next(max + 1)).Select(_ => new MailAddress(Pick()))];
        for (int i = 0; i < 2000; i++)
        {
            int max = rng.Next(2) == 0 ? 3 : 25; // short lists (scanned) and long ones (hashed)
            var m = new MailMessage
            {
                Transport = MailTransport.Smtp,
                To = List(max), Cc = List(max), ResentTo = List(2), ResentCc = List(2),
                Bcc = List(max), ResentBcc = List(2), ApiEnvelope = List(max),
                Envelope = rng.Next(4) == 0 ? null : new SmtpEnvelope
                {
                    RcptTo = [.. Enumerable.Range(0, rng.Next(max + 1)).Select(_ => new EnvelopeRecipient(Pick(), rng.Next(4) == 0 ? 550 : 250))],
                },
            };
            var got = RecipientResolver.Resolve(m).Select(h => (h.Address.Address, h.Reason)).ToList();
            Assert.True(ByDefinition(m).SequenceEqual(got), $"seed {seed}, message {i}");
        }
    }
}
