using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Whole-pipeline robustness: real captures (plain SMTP, STARTTLS with keys, HTTP/2 mail API with keys) with random
/// bytes corrupted, cut or duplicated must never crash a stage (no pipeline/internal_error) and always finish.
/// </summary>
public sealed class PipelineFuzzTests
{
    public static TheoryData<string, string?> Captures() => new()
    {
        { "smtp/nodemailer-pool.pcapng", null },
        { "smtp/swaks-pipeline-auth.pcap", null },
        { "smtp/nodemailer-starttls.pcap", "smtp/nodemailer-starttls.keys" },
        { "api/gmail-h2.pcap", "api/gmail-h2.keys" },
        { "api/mailgun.pcap", "api/mailgun.keys" },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void CorruptedCapturesNeverBreakAStage(string capture, string? keys)
    {
        var original = File.ReadAllBytes(Path.Combine(RepoPaths.Captures, capture));
        var path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}{Path.GetExtension(capture)}");
        int seed = TestSeed.For(capture);
        var rng = new Random(seed);
        try
        {
            for (int round = 0; round < 60; round++)
            {
                var bytes = (byte[])original.Clone();
                int header = capture.EndsWith(".pcapng", StringComparison.Ordinal) ? 64 : 24;
                switch (round % 3)
                {
                    case 0: // flip bytes anywhere after the file header (record headers included)
                        for (int i = 0; i < 1 + rng.Next(20); i++) bytes[header + rng.Next(bytes.Length - header)] ^= (byte)(1 + rng.Next(255));
                        break;
                    case 1: // cut the file short
                        bytes = bytes[..(header + rng.Next(bytes.Length - header))];
                        break;
                    default: // overwrite a run with random bytes
                        int at = header + rng.Next(bytes.Length - header), len = Math.Min(bytes.Length - at, 1 + rng.Next(200));
                        rng.NextBytes(bytes.AsSpan(at, len));
                        break;
                }
                File.WriteAllBytes(path, bytes);
                var h = new ReplayHarness();
                if (keys is not null) h.Pipeline.KeyLog.LoadFile(Path.Combine(RepoPaths.Captures, keys));
                h.Replay(path);
                Assert.True(h.Pipeline.Stats.InternalErrors == 0, $"{capture} round {round} (MCP_EGRESS_TEST_SEED={seed}): {h.Pipeline.LastInternalError}");
                _ = h.Ndjson; // every event must still serialise
            }
        }
        finally { File.Delete(path); }
    }
}
