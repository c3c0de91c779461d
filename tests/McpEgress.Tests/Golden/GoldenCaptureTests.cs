using McpEgress.Mail;

namespace McpEgress.Tests.Golden;

/// <summary>
/// Golden tests: every capture in captures/ that has an <c>.expected.json</c> is replayed through the whole pipeline
/// (with its key log, if any) and must give exactly the messages, recipients and alerts its sender intended, and no
/// credential the sender used anywhere in the NDJSON output.
/// </summary>
public sealed class GoldenCaptureTests
{
    public static TheoryData<string> ExpectedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(RepoPaths.Captures, "*.expected.json", SearchOption.AllDirectories).Order())
            if (!f.Contains("node_modules", StringComparison.Ordinal))
                data.Add(Path.GetRelativePath(RepoPaths.Captures, f));
        return data;
    }

    /// <summary>Folders of mail captures: each capture there is golden-tested (captures/tls is checked against tshark).</summary>
    private static readonly string[] MailCaptureFolders = ["smtp", "api", "extra", "proxy", "tls-suites"];

    [Fact]
    public void EveryMailCaptureHasExactlyOneGoldenFile()
    {
        // The set, not a count: a capture added without its expectations, or an expectations file whose capture was
        // renamed away, fails here.
        var captures = MailCaptureFolders
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Captures, d)))
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Captures, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
        var named = ExpectedFiles().Cast<object[]>().Select(row => (string)row[0])
            .Select(e => Path.Combine(Path.GetDirectoryName(e)!, ExpectedCapture.Load(Path.Combine(RepoPaths.Captures, e)).Capture).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(captures, named);
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void ReplayMatchesSenderIntent(string expectedFile)
    {
        var path = Path.Combine(RepoPaths.Captures, expectedFile);
        var dir = Path.GetDirectoryName(path)!;
        var expected = ExpectedCapture.Load(path);
        var h = new ReplayHarness();
        if (expected.KeyLog is { } keys) h.Pipeline.KeyLog.LoadFile(Path.Combine(dir, keys));
        h.Replay(Path.Combine(dir, expected.Capture));

        Assert.Empty(h.Errors);
        Assert.Equal(0, h.Pipeline.Stats.InternalErrors);
        var actual = h.Results.ToList();
        Assert.True(expected.Messages.Count == actual.Count,
            $"{expectedFile}: expected {expected.Messages.Count} messages, got {actual.Count}: " +
            string.Join(" | ", actual.Select(a => a.Message.Subject)));

        foreach (var exp in expected.Messages)
        {
            int idx = actual.FindIndex(a => a.Message.Subject == exp.Subject &&
                (!exp.HasRcptTo || SameSet(a.Message.Envelope?.RcptTo.Select(r => r.Address) ?? [], exp.RcptTo.Select(r => r.Address))));
            Assert.True(idx >= 0, $"{expectedFile}: no message with subject '{exp.Subject}'" +
                (exp.HasRcptTo ? $" and RCPT TO {string.Join(",", exp.RcptTo.Select(r => r.Address))}" : "") +
                "; got: " + string.Join(" | ", actual.Select(a => $"{a.Message.Subject} [{string.Join(",", a.Message.Envelope?.RcptTo.Select(r => r.Address) ?? [])}]")));
            var (m, alerts) = actual[idx];
            actual.RemoveAt(idx);
            string what = $"{expectedFile} '{exp.Subject}'";

            if (expected.Tunnel is { } tunnel)
                Assert.Equal(tunnel, (m.Tunnel?.Type, m.Tunnel?.TargetHost, m.Tunnel?.TargetPort ?? 0));
            else
                Assert.Null(m.Tunnel);
            if (exp.MailFrom is not null) Assert.Equal(exp.MailFrom, m.Envelope?.MailFrom);
            if (exp.Provider is not null) Assert.Equal(exp.Provider, m.Provider);
            if (exp.HasRcptTo)
                AssertSet(exp.RcptTo.Select(r => $"{r.Address}={r.Accepted}"), (m.Envelope?.RcptTo ?? []).Select(r => $"{r.Address}={r.Accepted}"), what + " rcpt_to");
            AssertAddresses(exp.From, m.From, what + " from");
            AssertAddresses(exp.To, m.To, what + " to");
            AssertAddresses(exp.Cc, m.Cc, what + " cc");
            AssertAddresses(exp.Bcc, m.Bcc, what + " bcc");
            AssertSet(exp.Hidden.Select(a => a.Address), m.Hidden.Select(a => a.Address.Address), what + " hidden");
            foreach (var hidden in m.Hidden)
                Assert.True(expected.KnownSinks.GetValueOrDefault(hidden.Address.Address) == hidden.KnownSink,
                    $"{what}: known_sink of {hidden.Address.Address}: expected '{expected.KnownSinks.GetValueOrDefault(hidden.Address.Address)}' got '{hidden.KnownSink}'");
            AssertSet(exp.Alerts.Select(a => $"{a.Rule}:{a.Address}"), alerts.Where(a => expected.Rules.Contains(a.RuleId)).SelectMany(a => a.Matches.Select(x => $"{a.RuleId}:{x.Address.Address}")), what + " alerts");
        }

        var ndjson = h.Ndjson;
        foreach (var secret in expected.SecretsAbsent)
            Assert.False(ndjson.Contains(secret, StringComparison.Ordinal), $"{expectedFile}: output contains secret '{secret}'");
    }

    private static bool SameSet(IEnumerable<string> a, IEnumerable<string> b) =>
        new HashSet<string>(a, MailAddress.AddressComparer).SetEquals(b);

    private static void AssertAddresses(List<ExpectedAddress> expected, IReadOnlyList<MailAddress> actual, string what)
    {
        AssertSet(expected.Select(a => a.Address), actual.Select(a => a.Address), what);
        foreach (var e in expected.Where(e => e.HasName))
        {
            var a = actual.First(x => MailAddress.AddressComparer.Equals(x.Address, e.Address));
            Assert.True(string.IsNullOrEmpty(e.Name) ? string.IsNullOrEmpty(a.DisplayName) : e.Name == a.DisplayName,
                $"{what}: display name of {e.Address}: expected '{e.Name}' got '{a.DisplayName}'");
        }
    }

    private static void AssertSet(IEnumerable<string> expected, IEnumerable<string> actual, string what)
    {
        var e = expected.Order(StringComparer.OrdinalIgnoreCase).ToList();
        var a = actual.Order(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.True(e.SequenceEqual(a, StringComparer.OrdinalIgnoreCase),
            $"{what}: expected [{string.Join(", ", e)}] got [{string.Join(", ", a)}]");
    }
}
