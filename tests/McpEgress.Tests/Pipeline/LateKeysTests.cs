using System.Buffers.Binary;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Keys that become known only after the packets (issue: "a key log read later, a DSB after the packets"): the flows
/// are parked, bounded, and decrypted when the secrets arrive; without them they are reported opaque, never garbage.
/// </summary>
public sealed class LateKeysTests
{
    private static string Smtp(string name) => Path.Combine(RepoPaths.Captures, "smtp", name);

    [Fact]
    public void DecryptionSecretsBlockAfterThePacketsStillUnlocksTheFlow()
    {
        var pcapng = PcapToPcapNgWithTrailingSecrets(File.ReadAllBytes(Smtp("nodemailer-starttls.pcap")),
            File.ReadAllBytes(Smtp("nodemailer-starttls.keys")));
        var path = Path.Combine(Path.GetTempPath(), $"late-dsb-{Guid.NewGuid():N}.pcapng");
        File.WriteAllBytes(path, pcapng);
        try
        {
            var h = new ReplayHarness().Replay(path);
            Assert.Empty(h.Errors);
            var (m, alerts) = Assert.Single(h.Results);
            Assert.Contains(m.Hidden, x => x.Address.Address == "phan@giftshop.club");
            Assert.Equal(3, alerts.Count); // denied-domain, hidden-foreign-domain, new-hidden-domain
            var tls = Assert.Single(h.TlsSessions);
            Assert.True(tls.Info.Decrypted);
            Assert.True(tls.StartTls);
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// Secrets in the middle of the capture, wherever they fall: with several workers every packet before the block is
    /// processed without them and every packet after with them, as with one worker (the same events, in the same order).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(14)]
    [InlineData(20)]
    [InlineData(30)]
    public void SecretsInTheMiddleGiveTheSameEventsForAnyNumberOfWorkers(int afterPackets)
    {
        var pcapng = PcapToPcapNgWithTrailingSecrets(File.ReadAllBytes(Smtp("nodemailer-starttls.pcap")),
            File.ReadAllBytes(Smtp("nodemailer-starttls.keys")), afterPackets);
        var path = Path.Combine(Path.GetTempPath(), $"mid-dsb-{Guid.NewGuid():N}.pcapng");
        File.WriteAllBytes(path, pcapng);
        try
        {
            string Run(int workers)
            {
                var h = new ReplayHarness(workers: workers);
                using var p = h.Pipeline;
                h.Replay(path);
                Assert.Empty(h.Errors);
                Assert.True(Assert.Single(h.TlsSessions).Info.Decrypted);
                return h.Ndjson + WorkerCountEquivalenceTests.Summary(p);
            }
            string one = Run(1);
            Assert.Equal(one, Run(3));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void KeyLogAddedAfterReplayButBeforeTheEndDecryptsParkedFlows()
    {
        var h = new ReplayHarness();
        var replay = new McpEgress.Pipeline.CaptureReplay(h.Pipeline, h.Pipeline.Options.Capture);
        Assert.Null(replay.ReplayFile(Smtp("nodemailer-implicit-tls.pcap"), null));
        Assert.Empty(h.Results);                       // nothing readable yet
        Assert.True(h.Pipeline.Router.ParkedTls.Sessions > 0 || h.Pipeline.Reassembler.ActiveFlows > 0);
        h.Pipeline.KeyLog.LoadFile(Smtp("nodemailer-implicit-tls.keys"));
        h.Pipeline.Finish();
        var (m, _) = Assert.Single(h.Results);
        Assert.True(m.Tls?.Decrypted);
        Assert.True(Assert.Single(h.TlsSessions).Info.Decrypted);
    }

    [Fact]
    public void WithoutKeysTheSessionIsReportedOpaqueAndNoMessageIsInvented()
    {
        var h = new ReplayHarness().Replay(Smtp("nodemailer-implicit-tls.pcap"));
        Assert.Empty(h.Results);
        var tls = Assert.Single(h.TlsSessions);
        Assert.False(tls.Info.Decrypted);
        Assert.Equal("TLS 1.3", tls.Info.VersionName);
        Assert.Equal(0, h.Pipeline.Router.ParkedTls.Sessions);
    }

    [Fact]
    public void WrongKeysNeverYieldPlaintext()
    {
        var h = new ReplayHarness();
        // The STARTTLS capture's secrets do not belong to the implicit-TLS session: same labels, other randoms.
        var wrong = File.ReadAllText(Smtp("nodemailer-starttls.keys"));
        var random = File.ReadAllLines(Smtp("nodemailer-implicit-tls.keys")).First(l => l.StartsWith("CLIENT_", StringComparison.Ordinal)).Split(' ')[1];
        var forged = string.Join('\n', wrong.Split('\n').Where(l => l.Split(' ').Length == 3)
            .Select(l => { var p = l.Split(' '); return $"{p[0]} {random} {p[2]}"; }));
        h.Pipeline.KeyLog.AddText(forged + "\n");
        h.Replay(Smtp("nodemailer-implicit-tls.pcap"));
        Assert.Empty(h.Results);
        Assert.False(Assert.Single(h.TlsSessions).Info.Decrypted);
        Assert.True(h.Pipeline.Anomalies.Get(AnomalyStage.Tls, TlsAnomalies.RecordAuthFailed) > 0);
    }

    /// <summary>pcap (Ethernet, µs) → pcapng: SHB, IDB, one EPB per packet, then a TLSK Decryption Secrets Block.</summary>
    private static byte[] PcapToPcapNgWithTrailingSecrets(byte[] pcap, byte[] keys, int secretsAfterPackets = int.MaxValue)
    {
        using var ms = new MemoryStream();
        void Block(uint type, byte[] body)
        {
            int len = 12 + body.Length;
            Span<byte> h = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(h, type);
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)len);
            ms.Write(h);
            ms.Write(body);
            ms.Write(h[4..8]);
        }
        static byte[] Pad(byte[] b) => b.Length % 4 == 0 ? b : [.. b, .. new byte[4 - b.Length % 4]];

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(pcap);
        Assert.Equal(0xa1b2c3d4u, magic);
        uint linkType = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(20));
        var shb = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(shb, 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(shb.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(shb.AsSpan(8), -1);
        Block(0x0A0D0D0A, shb);
        var idb = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(idb, (ushort)linkType);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(4), 262144);
        Block(1, idb);
        void Secrets()
        {
            var dsb = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(dsb, 0x544c534b);
            BinaryPrimitives.WriteUInt32LittleEndian(dsb.AsSpan(4), (uint)keys.Length);
            Block(10, Pad([.. dsb, .. keys]));
        }
        int packets = 0;
        for (int off = 24; off + 16 <= pcap.Length;)
        {
            if (packets++ == secretsAfterPackets) Secrets();
            uint sec = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(off));
            uint usec = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(off + 4));
            int caplen = (int)BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(off + 8));
            uint origlen = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(off + 12));
            ulong ts = sec * 1_000_000UL + usec;   // default if_tsresol: microseconds
            var epb = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(4), (uint)(ts >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(8), (uint)ts);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(12), (uint)caplen);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(16), origlen);
            Block(6, Pad([.. epb, .. pcap.AsSpan(off + 16, caplen)]));
            off += 16 + caplen;
        }
        if (packets <= secretsAfterPackets) Secrets();
        return ms.ToArray();
    }
}
