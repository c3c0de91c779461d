using System.Text;
using McpEgress.Diagnostics;
using McpEgress.KeyLogs;
using McpEgress.Pipeline;
using McpEgress.Protocols.Tls;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Hostile;

/// <summary>Issue 11, key logs: streamed in bounded memory, junk cannot evict needed keys, unreadable ones are input errors.</summary>
public sealed class HostileKeyLogTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-hostile-keylog").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static readonly string Master = new('a', 96);
    private static string JunkLine(long i) => $"CLIENT_RANDOM {i + (1L << 40):x64} {Master}\n";
    private static byte[] JunkRandom(long i) => Convert.FromHexString($"{i + (1L << 40):x64}");

    /// <summary>An endless stream of well-formed key log lines for made-up sessions.</summary>
    private sealed class EndlessJunk(long lines) : Stream
    {
        private long _line;
        private byte[] _pending = [];
        private int _at;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_at == _pending.Length)
            {
                if (_line >= lines) return 0;
                _pending = Encoding.ASCII.GetBytes(JunkLine(_line++));
                _at = 0;
            }
            int n = Math.Min(count, _pending.Length - _at);
            Array.Copy(_pending, _at, buffer, offset, n);
            _at += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
        public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
    }

    [Fact]
    public void DevZeroIsAnErrorNotOutOfMemory()
    {
        var log = new TlsKeyLog();
        var e = Assert.Throws<IOException>(() => log.LoadFile("/dev/zero"));
        Assert.Equal("line 1 is longer than 1024 bytes: not a key log", e.Message);
        Assert.Throws<IOException>(() => log.LoadFile(_tmp)); // a directory
    }

    [Fact]
    public void JunkAfterTheRealKeysDoesNotEvictWantedOnes()
    {
        var anomalies = new AnomalyCounters();
        var log = new TlsKeyLog(new TlsKeyLogOptions { MaxEntries = 100 }, anomalies);
        var real = Convert.FromHexString(new string('7', 64));
        log.Want(real); // a session's ClientHello was seen
        log.AddText($"CLIENT_RANDOM {new string('7', 64)} {Master}\n");
        log.Load(new EndlessJunk(10_000));
        Assert.True(log.TryGetSecret(real, TlsSecretKind.MasterSecret, out _));
        Assert.Equal(100, log.Count);
        Assert.Equal(10_001 - 100, log.Evicted);
        Assert.Equal(log.Evicted, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogEvicted));
        // Unwanted ones still go oldest first.
        Assert.False(log.Contains(JunkRandom(0)));
        Assert.True(log.Contains(JunkRandom(9_999)));
    }

    [Fact]
    public void WantedIsCappedAtHalfTheTable()
    {
        var log = new TlsKeyLog(new TlsKeyLogOptions { MaxEntries = 10, MaxWanted = 1000 });
        for (int i = 0; i < 100; i++) log.Want(JunkRandom(i));
        Assert.Equal(5, log.WantedCount);
        log.Load(new EndlessJunk(100));
        Assert.Equal(10, log.Count);
        for (int i = 95; i < 100; i++) Assert.True(log.Contains(JunkRandom(i)), $"{i}");
    }

    [Fact]
    public void AMillionLinesStreamInBoundedMemory()
    {
        var log = new TlsKeyLog(new TlsKeyLogOptions { MaxEntries = 10_000 });
        long before = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(1_000_000, log.Load(new EndlessJunk(1_000_000)));
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(10_000, log.Count);
        Assert.True(held < 16 << 20, $"{held} bytes held for 10 000 entries");
    }

    [Fact]
    public void AFullDefaultKeyLogOfTls13SessionsHoldsUnder64MB()
    {
        // 100 000 client randoms (the default MaxEntries) with the five TLS 1.3 secrets each (48 bytes: SHA-384).
        var text = new StringBuilder();
        string[] labels = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"];
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var log = new TlsKeyLog();
        for (int i = 0; i < 100_000; i++)
        {
            foreach (var label in labels) text.Append(label).Append(' ').Append($"{i:x64}").Append(' ').Append(Master).Append('\n');
            if (text.Length > 1 << 20) { log.AddText(text.ToString()); text.Clear(); }
        }
        log.AddText(text.ToString());
        text = null!;
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(100_000, log.Count);
        Assert.Equal(0, log.Evicted);
        Assert.True(held < 64L << 20, $"{held / (1 << 20)} MB held");
        Assert.True(log.TryGetSecret(Convert.FromHexString($"{99_999:x64}"), TlsSecretKind.ServerTrafficSecret0, out var s) && s.Length == 48);
    }

    [Fact]
    public void ScannerFindsTheClientRandomsOfACapture()
    {
        var found = new List<string>();
        ClientHelloRandomScanner.Scan(Path.Combine(RepoPaths.Captures, "smtp/nodemailer-starttls.pcap"), r => found.Add(Convert.ToHexString(r)));
        var keys = File.ReadAllLines(Path.Combine(RepoPaths.Captures, "smtp/nodemailer-starttls.keys"))
            .Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(' ')[1].ToUpperInvariant()).Distinct().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Contains(k, found));
    }

    [Fact]
    public void ReplayStillDecryptsWhenJunkOverflowsTheKeyLog()
    {
        // The real keys first, then 5 000 junk lines: with room for 100 entries, oldest-first eviction dropped the real ones.
        var keys = Path.Combine(_tmp, "junk.keys");
        File.WriteAllText(keys, File.ReadAllText(Path.Combine(RepoPaths.Captures, "smtp/nodemailer-starttls.keys"))
            + string.Concat(Enumerable.Range(0, 5000).Select(i => JunkLine(i))));
        var config = Path.Combine(_tmp, "c.yaml");
        File.WriteAllText(config, "limits:\n  keylog: { max_entries: 100 }\n");
        var (code, stdout, stderr) = CliRunner.Run("replay", Path.Combine(RepoPaths.Captures, "smtp/nodemailer-starttls.pcap"),
            "--keylog", keys, "--config", config);
        Assert.True(code == 0, stderr);
        Assert.Contains("\"decrypted\":true", stdout);
        Assert.DoesNotContain("\"decrypted\":false", stdout);
    }

    [Fact]
    public void ReplayExitsThreeWithOneLineOnAnUnreadableKeyLog()
    {
        var capture = Path.Combine(RepoPaths.Captures, "smtp/nodemailer-starttls.pcap");
        var binary = Path.Combine(_tmp, "binary.keys");
        File.WriteAllBytes(binary, new byte[100_000]);
        foreach (var (keylog, why) in new[] { ("/dev/zero", "line 1 is longer than 1024 bytes: not a key log"), (_tmp, "it is a directory"),
                     (binary, "line 1 is longer than 1024 bytes: not a key log"), (Path.Combine(_tmp, "none.keys"), "no such file") })
        {
            var (code, stdout, stderr) = CliRunner.Run("replay", capture, "--keylog", keylog);
            Assert.True(code == 3, $"{keylog}: exit {code}: {stderr}");
            Assert.Equal($"mcp-egress: key log {keylog}: {why}", stderr.Trim());
        }
    }

    [Fact]
    public void FollowerWarnsAndCountsUnreadableKeyLogs()
    {
        var anomalies = new AnomalyCounters();
        var longLine = Path.Combine(_tmp, "long.keys");
        File.WriteAllText(longLine, new string('x', 10_000) + "\n");
        File.SetUnixFileMode(longLine, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, ["/dev/zero", _tmp, longLine], new KeyLogFollowerOptions { UseFileSystemWatcher = false }, anomalies);
        follower.Poll();
        follower.Poll(); // warned once
        var codes = follower.Warnings.Select(w => w.Code).Order().ToArray();
        Assert.Equal(["keylog_line_too_long", "keylog_not_regular_file", "keylog_not_regular_file"], codes);
        Assert.Equal(2 * 2, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogNotRegularFile)); // counted on every poll
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogLineTooLong));
        Assert.All(follower.Warnings, w => Assert.DoesNotContain('\n', w.Message));
    }
}
