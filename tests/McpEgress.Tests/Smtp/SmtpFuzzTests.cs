using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>Random and mutated input never throws and never hangs.</summary>
public class SmtpFuzzTests
{
    [Fact]
    public void Random_bytes_gaps_and_close_never_throw()
    {
        var rng = new Random(12345);
        byte[] alphabet = "EHLO MAIL FROM:<a@b> RCPT TO:<> DATA BDAT 3 LAST AUTH LOGIN STARTTLS RSET 220 250 354 334 235 . \r\n-"u8.ToArray();
        for (int iter = 0; iter < 300; iter++)
        {
            var options = new SmtpOptions { MaxLineBytes = 16 + rng.Next(64), MaxHeldBytes = 1 + rng.Next(256), MaxPendingCommands = 1 + rng.Next(8), MaxHeaderBytes = rng.Next(64), MaxRecipientsPerTransaction = rng.Next(4) };
            var h = new SmtpHarness(options);
            for (int step = 0; step < 60; step++)
            {
                var buf = new byte[rng.Next(0, 80)];
                bool text = rng.Next(3) > 0;
                for (int i = 0; i < buf.Length; i++) buf[i] = text ? alphabet[rng.Next(alphabet.Length)] : (byte)rng.Next(256);
                var dir = rng.Next(2) == 0 ? FlowDirection.ClientToServer : FlowDirection.ServerToClient;
                switch (rng.Next(12))
                {
                    case 0: h.Session.OnGap(dir, rng.Next(1, 5000)); break;
                    case 1: h.Session.OnData(dir, [], step); break;
                    default:
                        bool wasTls = h.Session.IsTls(dir);
                        var handed = Handed.From(h.Session.OnData(dir, buf, step));
                        // Once TLS, a direction's bytes all come back; while plaintext, none do.
                        if (wasTls) Assert.True(handed[dir].AsSpan().EndsWith(buf));
                        else if (!h.Session.IsTls(dir)) Assert.Empty(handed[dir]);
                        break;
                }
            }
            h.Session.OnClose(99);
        }
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Mutated_transcripts_never_throw(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        int seed = TestSeed.For(name);
        var rng = new Random(seed);
        for (int iter = 0; iter < 300; iter++)
        {
            var h = new SmtpHarness();
            foreach (var (dir, original) in t.Steps)
            {
                var bytes = (byte[])original.Clone();
                for (int k = rng.Next(3); k > 0 && bytes.Length > 0; k--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                if (rng.Next(20) == 0) h.Session.OnGap(dir, rng.Next(1, 100));
                else if (rng.Next(20) != 0) h.Feed(dir, bytes, 0);
            }
            h.Session.OnClose(0);
            Assert.True(h.Transactions.Count <= 3, $"{name} iteration {iter} (MCP_EGRESS_TEST_SEED={seed})");
        }
    }
}
