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
        Assert.Equal(true, second.Message.Extra.GetValueOrDefault("mcp_egress.smtp.incomplete"));
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
}
