using McpEgress.Protocols;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tls;

/// <summary>Keyed captures under captures/ (a .keys file beside the pcap, or pcapng Decryption Secrets Blocks), read through tshark once.</summary>
internal static class TlsCaptures
{
    public sealed record Flow(int Stream, List<TsharkFlows.Chunk> Chunks)
    {
        public byte[] Bytes(FlowDirection d) => TsharkFlows.Concat(Chunks, d);
    }

    private static readonly Dictionary<string, List<Flow>> Cache = new();

    public static string TlsDir => Path.Combine(TsharkFlows.RepoRoot(), "captures", "tls");

    /// <summary>Every capture below captures/ that has keys, as a path relative to the repository root.</summary>
    public static IEnumerable<string> KeyedCaptures()
    {
        var root = TsharkFlows.RepoRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "captures"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".pcap", StringComparison.Ordinal) && !file.EndsWith(".pcapng", StringComparison.Ordinal)) continue;
            if (KeyFile(file) is not null || (file.EndsWith(".pcapng", StringComparison.Ordinal) && PcapngSecrets.ReadTlsKeyLogs(file).Count > 0))
                yield return Path.GetRelativePath(root, file);
        }
    }

    public static string? KeyFile(string capture)
    {
        var keys = Path.ChangeExtension(capture, ".keys");
        return File.Exists(keys) ? keys : null;
    }

    public static TlsKeyLog LoadKeys(string capture)
    {
        var keys = new TlsKeyLog();
        var keyFile = KeyFile(capture);
        if (keyFile is not null) keys.LoadFile(keyFile);
        else foreach (var block in PcapngSecrets.ReadTlsKeyLogs(capture)) keys.AddBytes(block);
        return keys;
    }

    /// <summary>
    /// Why tshark cannot decrypt a capture (its expected file's <c>tshark_cannot_decrypt</c>, e.g. ARIA, which
    /// tshark 4.0 lacks), or null when it can and its plaintext is the oracle.
    /// </summary>
    public static string? TsharkCannotDecrypt(string capture)
    {
        var expected = Path.ChangeExtension(capture, ".expected.json");
        if (!File.Exists(expected)) return null;
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(expected));
        return doc.RootElement.TryGetProperty("tshark_cannot_decrypt", out var why) ? why.GetString() : null;
    }

    public static string KeyText(string capture) => File.ReadAllText(KeyFile(capture)!);

    /// <summary>TCP flows of a capture whose first client bytes are a TLS ClientHello (STARTTLS flows need their protocol first).</summary>
    public static List<Flow> TlsFlows(string capture)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(capture, out var cached)) return cached;
            var flows = new List<Flow>();
            foreach (int stream in TsharkFlows.TcpStreams(capture))
            {
                var chunks = TsharkFlows.FollowTcp(capture, stream);
                if (chunks.Count == 0 || chunks[0].Direction != FlowDirection.ClientToServer
                    || TlsProbe.Probe(chunks[0].Data) != ProbeResult.Match)
                    continue;
                flows.Add(new Flow(stream, chunks));
            }
            Cache[capture] = flows;
            return flows;
        }
    }

    /// <summary>TCP flows that begin as SMTP (a 220 banner) and switch to TLS with STARTTLS.</summary>
    public static List<Flow> StartTlsFlows(string capture)
    {
        var flows = new List<Flow>();
        foreach (int stream in TsharkFlows.TcpStreams(capture))
        {
            var chunks = TsharkFlows.FollowTcp(capture, stream);
            var server = chunks.FirstOrDefault(c => c.Direction == FlowDirection.ServerToClient);
            var client = TsharkFlows.Concat(chunks, FlowDirection.ClientToServer);
            if (server is null || !server.Data.AsSpan().StartsWith("220"u8)) continue;
            if (System.Text.Encoding.ASCII.GetString(client).Contains("STARTTLS", StringComparison.OrdinalIgnoreCase))
                flows.Add(new Flow(stream, chunks));
        }
        return flows;
    }

    public static string Tls(string name) => Path.Combine(TlsDir, name);
}
