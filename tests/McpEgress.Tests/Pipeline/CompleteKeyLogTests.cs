using McpEgress.Capture;
using McpEgress.Diagnostics;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Issue 15 item 1: when no key can arrive any more (every key log read up front, no capture that can carry a
/// Decryption Secrets Block), an unkeyed TLS session is opaque at once instead of holding its ciphertext to the end.
/// </summary>
public sealed class CompleteKeyLogTests
{
    private static string Smtp(string name) => Path.Combine(RepoPaths.Captures, "smtp", name);

    [Fact]
    public void Probe_KnowsWhichCapturesCanStillBringSecrets()
    {
        Assert.False(CaptureSecretsProbe.MayCarrySecrets(Smtp("nodemailer-starttls.pcap")));          // classic pcap
        Assert.False(CaptureSecretsProbe.MayCarrySecrets(Smtp("nodemailer-pool.pcapng")));            // pcapng, no DSB
        Assert.True(CaptureSecretsProbe.MayCarrySecrets(Smtp("nodemailer-starttls-dsb.pcapng")));     // pcapng with a DSB
        Assert.True(CaptureSecretsProbe.MayCarrySecrets(Path.Combine(RepoPaths.Captures, "no-such-file.pcap"))); // unknown: hold

        // A pcapng cut in the middle of a block, or with a nonsense length, is "maybe": keep holding as before.
        var bytes = File.ReadAllBytes(Smtp("nodemailer-pool.pcapng"));
        var dir = Directory.CreateTempSubdirectory("mcp-egress-probe").FullName;
        try
        {
            string cut = Path.Combine(dir, "cut.pcapng");
            File.WriteAllBytes(cut, bytes[..(bytes.Length - 5)]);
            Assert.True(CaptureSecretsProbe.MayCarrySecrets(cut));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnkeyedSession_IsOpaqueAtOnce_KeyedOnesStillDecrypt()
    {
        // Without its key log the STARTTLS session can't be read: with Complete it stops holding at the first record
        // that needs a key, so nothing is left "undecrypted at close" and nothing is parked.
        var held = new ReplayHarness().Replay(Smtp("nodemailer-starttls.pcap"));
        var complete = new ReplayHarness();
        complete.Pipeline.KeyLog.Complete = true;
        complete.Replay(Smtp("nodemailer-starttls.pcap"));
        Assert.True(held.Pipeline.Anomalies.Get(AnomalyStage.Tls, "undecrypted_at_close") > 0);
        Assert.Equal(0, complete.Pipeline.Anomalies.Get(AnomalyStage.Tls, "undecrypted_at_close"));
        Assert.Single(complete.TlsSessions, s => !s.Info.Decrypted);
        Assert.Empty(complete.Results);

        // With the key log loaded the same session decrypts and gives its message, Complete or not.
        var keyed = new ReplayHarness();
        keyed.Pipeline.KeyLog.LoadFile(Smtp("nodemailer-starttls.keys"));
        keyed.Pipeline.KeyLog.Complete = true;
        keyed.Replay(Smtp("nodemailer-starttls.pcap"));
        Assert.Single(keyed.Results);
        Assert.All(keyed.TlsSessions, s => Assert.True(s.Info.Decrypted));
    }
}
