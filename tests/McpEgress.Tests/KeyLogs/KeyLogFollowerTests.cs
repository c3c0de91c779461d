using System.Diagnostics;
using McpEgress.Diagnostics;
using McpEgress.KeyLogs;
using McpEgress.Native;
using McpEgress.Protocols.Tls;

namespace McpEgress.Tests.KeyLogs;

public sealed class KeyLogFollowerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-keylog-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>"CLIENT_RANDOM &lt;32-byte random&gt; &lt;48-byte master secret&gt;\n" with the random's bytes all <paramref name="n"/>.</summary>
    private static string Line(int n) =>
        $"CLIENT_RANDOM {Convert.ToHexString(Random(n))} {Convert.ToHexString(Enumerable.Range(0, 48).Select(i => (byte)(n * 31 + i)).ToArray())}\n";
    private static byte[] Random(int n) => Enumerable.Repeat((byte)n, 32).ToArray();

    private string NewFile(string name, string content = "", UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static void Append(string path, string text) => File.AppendAllText(path, text);

    [Fact]
    public void AppendedLines_AppearInTheKeyLog()
    {
        var path = NewFile("a.keys", Line(1) + Line(2));
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, [path]);
        Assert.Equal(2, follower.Poll());
        Assert.True(log.Contains(Random(1)) && log.Contains(Random(2)));
        Assert.Equal(0, follower.Poll()); // nothing new
        Append(path, Line(3));
        Assert.Equal(1, follower.Poll());
        Assert.True(log.Contains(Random(3)));
        Assert.Equal(3, log.Count);
        Assert.Empty(follower.Warnings);
    }

    [Fact]
    public void LineSplitAcrossAppends_AtEverySplitPoint()
    {
        var text = Line(1) + Line(2);
        for (int cut = 0; cut <= text.Length; cut++)
        {
            var path = NewFile($"split{cut}.keys", text[..cut]);
            var log = new TlsKeyLog();
            using var follower = new KeyLogFollower(log, [path]);
            follower.Poll();
            Assert.Equal(text[..cut].Count(c => c == '\n'), log.Count); // only whole lines so far
            Append(path, text[cut..]);
            follower.Poll();
            Assert.Equal(2, log.Count);
            Assert.Equal(0, log.MalformedLines);
        }
    }

    [Fact]
    public void PartialLinesOfTwoFiles_DoNotMix()
    {
        var a = NewFile("a.keys");
        var b = NewFile("b.keys");
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, [Path.Combine(_dir.FullName, "*.keys")]);
        Append(a, Line(1)[..40]);
        Append(b, Line(2)[..50]);
        follower.Poll();
        Append(a, Line(1)[40..]);
        Append(b, Line(2)[50..]);
        follower.Poll();
        Assert.True(log.Contains(Random(1)) && log.Contains(Random(2)));
        Assert.Equal(0, log.MalformedLines);
    }

    [Fact]
    public void TruncatedAndRewrittenShorter_ReadsFromStart()
    {
        var path = NewFile("t.keys", Line(1) + Line(2) + Line(3));
        var log = new TlsKeyLog();
        var anomalies = new AnomalyCounters();
        using var follower = new KeyLogFollower(log, [path], anomalies: anomalies);
        follower.Poll();
        File.WriteAllText(path, Line(4)); // O_TRUNC then write: size below the old offset
        Assert.Equal(1, follower.Poll());
        Assert.True(log.Contains(Random(4)));
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogTruncated));
    }

    [Fact]
    public void TruncatedAndRewrittenLonger_BetweenPolls_IsNoticedByTheBytesBeforeTheOffset()
    {
        var path = NewFile("t.keys", Line(1));
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, [path]);
        follower.Poll();
        File.WriteAllText(path, Line(5) + Line(6) + Line(7)); // same inode, now larger than the old offset
        Assert.Equal(3, follower.Poll());
        Assert.True(log.Contains(Random(5)) && log.Contains(Random(6)) && log.Contains(Random(7)));
    }

    [Fact]
    public void ReplacedByRename_ReadsTheNewFileFromStart()
    {
        var path = NewFile("r.keys", Line(1));
        var log = new TlsKeyLog();
        var anomalies = new AnomalyCounters();
        using var follower = new KeyLogFollower(log, [path], anomalies: anomalies);
        follower.Poll();
        var tmp = NewFile("r.keys.tmp", Line(8) + Line(9));
        File.Move(tmp, path, overwrite: true); // rename(2) over the followed path: a new inode
        Assert.Equal(2, follower.Poll());
        Assert.True(log.Contains(Random(8)) && log.Contains(Random(9)));
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogReplaced));
    }

    [Fact]
    public void Glob_PicksUpNewFiles_IgnoresOthers_ForgetsDeleted()
    {
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, [Path.Combine(_dir.FullName, "*.keys")]);
        Assert.Equal(0, follower.Poll());
        Assert.Empty(follower.Files);
        var a = NewFile("server-a.keys", Line(1));
        NewFile("notes.txt", Line(2));
        Assert.Equal(1, follower.Poll());
        Assert.Equal([a], follower.Files);
        Assert.False(log.Contains(Random(2)));
        File.Delete(a);
        follower.Poll();
        Assert.Empty(follower.Files);
    }

    [Fact]
    public void PermissionWarnings_0644Warns_0600DoesNot()
    {
        var open = NewFile("open.keys", Line(1), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var closed = NewFile("closed.keys", Line(2));
        var seen = new List<KeyLogWarning>();
        using var follower = new KeyLogFollower(new TlsKeyLog(), [Path.Combine(_dir.FullName, "*.keys")]);
        follower.Warning += seen.Add;
        follower.Poll();
        follower.Poll(); // warned once, not on every poll
        var w = Assert.Single(seen);
        Assert.Equal(open, w.Path);
        Assert.Equal("keylog_permissions_too_open", w.Code);
        Assert.Contains("0644", w.Message);
        Assert.Empty(KeyLogFollower.CheckPermissions(closed));
        Assert.Equal(["keylog_permissions_too_open"], KeyLogFollower.CheckPermissions(open).Select(x => x.Code));
    }

    [SkippableFact]
    public void ForeignOwner_Warns_UnlessTrusted()
    {
        Skip.If(LibC.EffectiveUid != 0, "chown to another user needs root");
        var path = NewFile("nobody.keys", Line(1));
        using (var chown = Process.Start("chown", ["65534", path])!) chown.WaitForExit();
        Assert.Equal(["keylog_foreign_owner"], KeyLogFollower.CheckPermissions(path).Select(x => x.Code));
        Assert.Empty(KeyLogFollower.CheckPermissions(path, [65534u]));
    }

    [Fact]
    public void WorldWritableDirectoryWithoutStickyBit_Warns()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir.FullName, "shared"));
        var path = Path.Combine(sub.FullName, "x.keys");
        File.WriteAllText(path, Line(1));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(sub.FullName, (UnixFileMode)0x1FF); // 0777
        Assert.Equal(["keylog_directory_writable"], KeyLogFollower.CheckPermissions(path).Select(x => x.Code));
        File.SetUnixFileMode(sub.FullName, (UnixFileMode)0x3FF); // 1777, like /tmp
        Assert.Empty(KeyLogFollower.CheckPermissions(path));
    }

    [Fact]
    public void ByteBudgetPerPoll_SpreadsReadingOverPolls()
    {
        var path = NewFile("big.keys", Line(1) + Line(2) + Line(3));
        var log = new TlsKeyLog();
        using var follower = new KeyLogFollower(log, [path], new KeyLogFollowerOptions { MaxBytesPerPoll = 100 });
        follower.Poll();
        Assert.True(log.Count < 3);
        for (int i = 0; i < 10; i++) follower.Poll();
        Assert.Equal(3, log.Count);
        Assert.Equal(3L * Line(1).Length, follower.BytesRead);
    }

    [Fact]
    public void OverlongLine_IsSkipped_NextLineStillParsed()
    {
        var path = NewFile("long.keys", new string('x', 5000));
        var log = new TlsKeyLog();
        var anomalies = new AnomalyCounters();
        using var follower = new KeyLogFollower(log, [path], new KeyLogFollowerOptions { MaxLineBytes = 1024 }, anomalies);
        follower.Poll();
        Append(path, new string('y', 3000) + "\n" + Line(1));
        follower.Poll();
        Assert.Equal(1, log.Count);
        Assert.Equal(0, log.MalformedLines);
        Assert.True(anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogLineTooLong) >= 1);
    }

    [Fact]
    public void MaxFiles_Bounds()
    {
        NewFile("1.keys", Line(1));
        NewFile("2.keys", Line(2));
        var anomalies = new AnomalyCounters();
        using var follower = new KeyLogFollower(new TlsKeyLog(), [Path.Combine(_dir.FullName, "*.keys")],
            new KeyLogFollowerOptions { MaxFiles = 1 }, anomalies);
        follower.Poll();
        Assert.Single(follower.Files);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.KeylogTooManyFiles));
    }

    [Fact]
    public void Started_FollowsInTheBackground()
    {
        var path = NewFile("live.keys");
        var log = new TlsKeyLog();
        using var changed = new ManualResetEventSlim();
        log.Changed += _ => { if (log.Contains(Random(42))) changed.Set(); };
        using var follower = new KeyLogFollower(log, [path], new KeyLogFollowerOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        follower.Start();
        Append(path, Line(42));
        Assert.True(changed.Wait(TimeSpan.FromSeconds(20)), "secret never arrived");
    }

    [Fact]
    public void MissingFile_IsNotAnError()
    {
        using var follower = new KeyLogFollower(new TlsKeyLog(), [Path.Combine(_dir.FullName, "none.keys"), "/nonexistent-dir/*.keys"]);
        Assert.Equal(0, follower.Poll());
        Assert.Empty(KeyLogFollower.CheckPermissions("/nonexistent-dir/x.keys"));
    }
}
