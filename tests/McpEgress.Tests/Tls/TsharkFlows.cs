using System.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tls;

/// <summary>
/// Test oracle: tshark's view of a capture. Extracts each TCP stream's two byte streams in capture order
/// (<c>-z follow,tcp,raw,N</c>) and tshark's own TLS decryption (<c>-z follow,tls,raw,N</c>).
/// Fails with a clear message when tshark is missing (CI installs it).
/// </summary>
internal static class TsharkFlows
{
    public sealed record Chunk(FlowDirection Direction, byte[] Data);

    /// <summary>Repository root: the first parent of the test binary that holds captures/.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "captures")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        throw new InvalidOperationException("captures/ folder not found above " + AppContext.BaseDirectory);
    }

    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("tshark did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("tshark is required for the TLS capture cross-check (apt-get install tshark): " + e.Message, e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"tshark {string.Join(' ', args)} failed: {stderr.Result}");
            return stdout;
        }
    }

    public static int[] TcpStreams(string capture) =>
        Run("-r", capture, "-T", "fields", "-e", "tcp.stream", "-Y", "tcp.len > 0")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).Distinct().Order().ToArray();

    /// <summary>Raw TCP payload chunks of one stream in capture order. Node 0 (no tab) is the side that spoke first.</summary>
    public static List<Chunk> FollowTcp(string capture, int stream) => FollowTcp(capture, stream, out _);

    public static List<Chunk> FollowTcp(string capture, int stream, out string? clientNode) =>
        ParseFollow(Run("-r", capture, "-q", "-z", $"follow,tcp,raw,{stream}"), out clientNode);

    /// <summary>
    /// tshark's decrypted TLS application data of one stream, per direction. tshark numbers the nodes of
    /// follow,tls by the first decrypted data, so directions are mapped by the client's address.
    /// </summary>
    public static List<Chunk> FollowTls(string capture, int stream, string? keyLogFile, params string[] decodeAs)
    {
        FollowTcp(capture, stream, out var clientNode);
        var args = new List<string> { "-r", capture };
        foreach (var d in decodeAs) { args.Add("-d"); args.Add(d); }
        if (keyLogFile is not null) { args.Add("-o"); args.Add("tls.keylog_file:" + keyLogFile); }
        args.AddRange(["-q", "-z", $"follow,tls,raw,{stream}"]);
        var chunks = ParseFollow(Run(args.ToArray()), out var node0);
        if (node0 == clientNode) return chunks;
        return chunks.Select(c => c with { Direction = c.Direction == FlowDirection.ClientToServer ? FlowDirection.ServerToClient : FlowDirection.ClientToServer }).ToList();
    }

    /// <summary>The port the client's SYN went to (the server side of the stream).</summary>
    public static int ServerPort(string capture, int stream) =>
        int.Parse(Run("-r", capture, "-Y", $"tcp.stream=={stream} && tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields", "-e", "tcp.dstport")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim());

    public static byte[] Concat(IEnumerable<Chunk> chunks, FlowDirection direction) =>
        chunks.Where(c => c.Direction == direction).SelectMany(c => c.Data).ToArray();

    private static List<Chunk> ParseFollow(string output, out string? node0)
    {
        node0 = null;
        var chunks = new List<Chunk>();
        bool inBody = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("Node 0:", StringComparison.Ordinal)) { node0 = line[7..].Trim(); continue; }
            if (line.StartsWith("Node 1:", StringComparison.Ordinal)) { inBody = true; continue; }
            if (!inBody || line.Length == 0 || line.StartsWith('=')) continue;
            bool node1 = line[0] == '\t';
            var hex = line.Trim();
            if (hex.Length == 0) continue;
            chunks.Add(new Chunk(node1 ? FlowDirection.ServerToClient : FlowDirection.ClientToServer, Convert.FromHexString(hex)));
        }
        return chunks;
    }
}
