using System.Text;
using McpEgress.Daemon;

namespace McpEgress.Tests.Daemon;

public sealed class RotatingFileStreamTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-rotate-");
    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    public void Dispose() => _dir.Delete(recursive: true);

    private static void WriteLine(Stream s, string text) => s.Write(Encoding.UTF8.GetBytes(text + "\n"));

    [Fact]
    public void RotatesBeforeAWriteWouldPassTheLimit_LinesStayWhole()
    {
        string path = PathOf("events.ndjson");
        using (var s = new RotatingFileStream(path, maxBytes: 20, keep: 3))
        {
            WriteLine(s, "aaaaaaaa"); // 9 bytes
            WriteLine(s, "bbbbbbbb"); // 18: still fits
            WriteLine(s, "cccccccc"); // 27 > 20: rotate first
            Assert.Equal(1, s.Rotations);
        }
        Assert.Equal("aaaaaaaa\nbbbbbbbb\n", File.ReadAllText(path + ".1"));
        Assert.Equal("cccccccc\n", File.ReadAllText(path));
    }

    [Fact]
    public void KeepsOnlyTheNewestRotatedFiles()
    {
        string path = PathOf("e.ndjson");
        using (var s = new RotatingFileStream(path, maxBytes: 4, keep: 2))
            for (int i = 0; i < 5; i++) WriteLine(s, $"l{i}"); // each 3 bytes: every second write rotates... every write after the first
        Assert.Equal("l4\n", File.ReadAllText(path));
        Assert.Equal("l3\n", File.ReadAllText(path + ".1"));
        Assert.Equal("l2\n", File.ReadAllText(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
    }

    [Fact]
    public void OneLineLargerThanTheLimit_IsWrittenWhole()
    {
        string path = PathOf("big.ndjson");
        using (var s = new RotatingFileStream(path, maxBytes: 4, keep: 1))
            WriteLine(s, "0123456789");
        Assert.Equal("0123456789\n", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void KeepZero_DiscardsTheFullFile()
    {
        string path = PathOf("k0.ndjson");
        using (var s = new RotatingFileStream(path, maxBytes: 4, keep: 0))
        {
            WriteLine(s, "one");
            WriteLine(s, "two");
        }
        Assert.Equal("two\n", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void MaxBytesZero_NeverRotates_AndAppendsToAnExistingFile()
    {
        string path = PathOf("n.ndjson");
        File.WriteAllText(path, "old\n");
        using (var s = new RotatingFileStream(path, maxBytes: 0, keep: 5))
            for (int i = 0; i < 100; i++) WriteLine(s, "x");
        Assert.Equal(4 + 200, new FileInfo(path).Length);
        Assert.StartsWith("old\n", File.ReadAllText(path));
    }

    [Fact]
    public void ExistingSizeCounts_TowardsTheFirstRotation()
    {
        string path = PathOf("s.ndjson");
        File.WriteAllText(path, "0123456789\n");
        using (var s = new RotatingFileStream(path, maxBytes: 12, keep: 1))
            WriteLine(s, "ab");
        Assert.Equal("0123456789\n", File.ReadAllText(path + ".1"));
        Assert.Equal("ab\n", File.ReadAllText(path));
    }

    [Fact]
    public void Reopen_AfterAnExternalRotationMovedTheFile_StartsANewFile()
    {
        string path = PathOf("lr.ndjson");
        using (var s = new RotatingFileStream(path, maxBytes: 0, keep: 0))
        {
            WriteLine(s, "before");
            s.Flush();
            File.Move(path, path + ".moved"); // logrotate without copytruncate
            WriteLine(s, "late"); // still into the moved file
            s.Reopen();
            WriteLine(s, "after");
        }
        Assert.Equal("before\nlate\n", File.ReadAllText(path + ".moved"));
        Assert.Equal("after\n", File.ReadAllText(path));
    }

    [Fact]
    public void NewFilesAreNotWorldReadable()
    {
        string path = PathOf("m.ndjson");
        using (new RotatingFileStream(path, 0, 0)) { }
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite));
    }
}
