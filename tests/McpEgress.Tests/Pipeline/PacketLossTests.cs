using System.Diagnostics;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// A capture that lost packets must not wreck the messages around the hole (gaps are states, not failures): real
/// captures with frames cut out by editcap.
/// </summary>
public sealed class PacketLossTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-loss").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Without(string capture, params int[] frames)
    {
        var output = Path.Combine(_dir, "cut.pcapng");
        var psi = new ProcessStartInfo("editcap") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Captures, capture));
        psi.ArgumentList.Add(output);
        foreach (var f in frames) psi.ArgumentList.Add(f.ToString());
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException("editcap not found: apt-get install wireshark-common (tests/run-all.sh installs tshark, which brings it)"); }
        p.WaitForExit(30_000);
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    [Fact]
    public void LostMessageBodyKeepsItsEnvelopeAndTheMessagesAroundIt()
    {
        // nodemailer-pool: 3 messages on one connection; frame 30 is the whole DATA content of message 2.
        var h = new ReplayHarness().Replay(Without("smtp/nodemailer-pool.pcapng", 30));
        Assert.Empty(h.Errors);
        Assert.Equal(3, h.Results.Count);
        var subjects = h.Results.Select(r => r.Message.Subject).ToList();
        Assert.Contains("Pool message 1", subjects);
        Assert.Contains("Pool message 3", subjects);
        var second = h.Results.Single(r => r.Message.Subject is null);
        Assert.True(second.Message.Envelope?.Incomplete);
        Assert.Equal(3, second.Message.Envelope!.RcptTo.Count);   // the envelope survived the hole
        Assert.True(h.Pipeline.Reassembler.Gaps > 0);
    }

    [Fact]
    public void LostCommandDoesNotDesynchroniseTheSession()
    {
        // Frame 22 is one RCPT TO of message 2: only that recipient can be missing.
        var h = new ReplayHarness().Replay(Without("smtp/nodemailer-pool.pcapng", 22));
        Assert.Equal(3, h.Results.Count);
        var expected = ExpectedCapture.Load(Path.Combine(RepoPaths.Captures, "smtp/nodemailer-pool.expected.json"));
        foreach (var exp in expected.Messages.Where(m => m.Subject != "Pool message 2"))
        {
            var m = h.Results.Single(r => r.Message.Subject == exp.Subject).Message;
            Assert.Equal(exp.RcptTo.Select(r => r.Address).Order(), m.Envelope!.RcptTo.Select(r => r.Address).Order());
        }
        var two = h.Results.Single(r => r.Message.Subject == "Pool message 2").Message;
        Assert.Equal(2, two.Envelope!.RcptTo.Count);
    }

    [Fact]
    public void CaptureStartingMidSessionStillYieldsTheNextMessages()
    {
        // Frames 1-19 (handshake, banner, EHLO and the whole first transaction) were never captured: the flow is picked
        // up mid-stream at message 2's MAIL FROM, with no banner or EHLO to identify it.
        var h = new ReplayHarness().Replay(Without("smtp/nodemailer-pool.pcapng", Enumerable.Range(1, 19).ToArray()));
        var expected = ExpectedCapture.Load(Path.Combine(RepoPaths.Captures, "smtp/nodemailer-pool.expected.json"));
        Assert.Equal(new[] { "Pool message 2", "Pool message 3" }, h.Results.Select(r => r.Message.Subject).Order());
        foreach (var (m, alerts) in h.Results)
        {
            var exp = expected.Messages.Single(e => e.Subject == m.Subject);
            Assert.Equal(exp.RcptTo.Select(r => r.Address).Order(), m.Envelope!.RcptTo.Select(r => r.Address).Order());
            Assert.Equal(exp.Hidden.Select(a => a.Address).Order(), m.Hidden.Select(x => x.Address.Address).Order());
            Assert.Equal(exp.Alerts.Select(a => a.Rule + ":" + a.Address).Order(), alerts.Select(a => a.RuleId + ":" + a.Address.Address).Order());
        }
    }

    [Fact]
    public void MidStreamProbeNeedsATransactionAndAWellFormedReply()
    {
        Assert.Equal(McpEgress.Protocols.ProbeResult.Match, McpEgress.Protocols.Smtp.SmtpProbe.ProbeMidStream("MAIL FROM:<a@b.example>\r\n"u8, "250 2.1.0 Ok\r\n"u8));
        Assert.Equal(McpEgress.Protocols.ProbeResult.NeedMore, McpEgress.Protocols.Smtp.SmtpProbe.ProbeMidStream("MAIL FR"u8, default));
        Assert.Equal(McpEgress.Protocols.ProbeResult.NoMatch, McpEgress.Protocols.Smtp.SmtpProbe.ProbeMidStream("GET / HTTP/1.1\r\n"u8, default));
        Assert.Equal(McpEgress.Protocols.ProbeResult.NoMatch, McpEgress.Protocols.Smtp.SmtpProbe.ProbeMidStream("MAIL FROM:<a@b.example>\r\n"u8, "HTTP/1.1 200 OK\r\n"u8));
        Assert.Equal(McpEgress.Protocols.ProbeResult.NoMatch, McpEgress.Protocols.Smtp.SmtpProbe.ProbeMidStream("mail from: nothing\r\n"u8, default));
    }
}
