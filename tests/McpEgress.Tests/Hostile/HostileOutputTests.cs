using System.Diagnostics;
using System.Text;
using McpEgress.Daemon;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Detection;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Hostile;

/// <summary>Issue 11, output: a full disk is exit 4 in replay, counted and survived in watch, and never leaves half a line.</summary>
public sealed class HostileOutputTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-hostile-output").FullName;
    private string? _mount;

    public void Dispose()
    {
        if (_mount is not null) Run("umount", _mount);
        Directory.Delete(_tmp, recursive: true);
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }

    /// <summary>A 64 KiB tmpfs (needs root); null when it cannot be mounted here.</summary>
    private string? SmallFilesystem()
    {
        var dir = Path.Combine(_tmp, "full");
        Directory.CreateDirectory(dir);
        if (Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir) != 0) return null;
        return _mount = dir;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReplayToDevFullExitsFourWithOneLine(bool viaOption)
    {
        var capture = Path.Combine(RepoPaths.Captures, "smtp/nodemailer-envelope-hidden.pcap");
        string stderr;
        int code;
        if (viaOption) (code, _, stderr) = CliRunner.Run("replay", capture, "--output", "/dev/full");
        else
        {
            // Standard output redirected to /dev/full by a shell.
            var dll = Path.Combine(AppContext.BaseDirectory, "mcp-egress.dll");
            var psi = new ProcessStartInfo("sh", ["-c", $"exec dotnet '{dll}' replay '{capture}' > /dev/full"]) { RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            code = p.ExitCode;
        }
        Assert.True(code == 4, $"exit {code}: {stderr}");
        Assert.DoesNotContain("Unhandled", stderr);
        Assert.DoesNotContain("   at ", stderr);
        var last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Equal($"mcp-egress: cannot write {(viaOption ? "/dev/full" : "standard output")}: No space left on device{(viaOption ? " : '/dev/full'" : "")}; events were lost", last);
    }

    [Fact]
    public void WriterCountsFailuresInsteadOfThrowing()
    {
        var writer = new EcsEventWriter(new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1));
        writer.WriteMessage(TestMessages.PostmarkMcp());
        writer.WriteMessage(TestMessages.PostmarkMcp());
        writer.Flush();
        writer.Dispose();
        Assert.Equal(2, writer.EventsDropped);
        Assert.Equal(0, writer.EventsWritten);
        Assert.True(writer.Failing);
        Assert.StartsWith("No space left on device", writer.LastWriteError);
    }

    [Fact]
    public void FullFilesystemLeavesOnlyWholeLinesAndRecovers()
    {
        if (SmallFilesystem() is not { } dir) { Assert.True(Environment.UserName != "root", "cannot mount a tmpfs as root"); return; } // not root: nothing to test with
        var filler = Path.Combine(dir, "filler");
        File.WriteAllBytes(filler, new byte[40 * 1024]);
        var path = Path.Combine(dir, "events.ndjson");
        var line = Encoding.ASCII.GetBytes(new string('x', 999) + "\n");
        int written = 0, failed = 0;
        using (var s = new RotatingFileStream(path, maxBytes: 0, keep: 0))
        {
            for (int i = 0; i < 100; i++)
            {
                try { s.Write(line); written++; }
                catch (IOException) { failed++; }
            }
            Assert.True(failed > 0 && written > 0, $"{written} written, {failed} failed");
            Assert.Equal(failed, s.WriteFailures);
            Assert.Equal(written * 1000L, new FileInfo(path).Length); // no partial line left behind
            File.Delete(filler); // space again: the next write succeeds
            s.Write(line);
        }
        var text = File.ReadAllText(path);
        Assert.Equal((written + 1) * 1000, text.Length);
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal(999, l.Length));
    }

    [Fact]
    public void DaemonOutputCountsDropsLogsOnceAndRecovers()
    {
        if (SmallFilesystem() is not { } dir) { Assert.True(Environment.UserName != "root", "cannot mount a tmpfs as root"); return; } // not root: nothing to test with
        var filler = Path.Combine(dir, "filler");
        File.WriteAllBytes(filler, new byte[56 * 1024]);
        var path = Path.Combine(dir, "events.ndjson");
        var log = new List<string>();
        var anomalies = new AnomalyCounters();
        var metrics = new EgressMetrics();
        var writer = new EcsEventWriter(new RotatingFileStream(path, 0, 0), new EcsWriterOptions { BufferBytes = 0 });
        var output = new MetricsEventOutput(writer, metrics) { Log = log.Add, Anomalies = anomalies };
        var message = TestMessages.PostmarkMcp();
        for (int i = 0; i < 50; i++) output.OnMessage(message, []);
        Assert.True(writer.EventsDropped > 0, "the filesystem never filled");
        Assert.Equal(writer.EventsDropped, anomalies.Get(AnomalyStage.Export, ExportAnomalies.EventsDropped));
        var warning = Assert.Single(log);
        Assert.StartsWith("warning: cannot write events (No space left on device", warning);
        File.Delete(filler);
        output.OnMessage(message, []);
        Assert.Equal(2, log.Count);
        Assert.Equal($"events are written again; {writer.EventsDropped} events were dropped", log[1]);
        writer.Dispose();
        Assert.All(File.ReadAllLines(path), l => System.Text.Json.JsonDocument.Parse(l));
        Assert.Equal(writer.EventsWritten, File.ReadAllLines(path).Length);
    }
}
