using System.Net;
using BenchmarkDotNet.Attributes;
using McpEgress.Decode;
using McpEgress.Detection.Egress;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Benchmarks;

/// <summary>
/// Per-flow cost of per-server egress in the daemon: one closed flow summary of an MCP server's process into the
/// <see cref="EgressTracker"/> (a known destination: the steady state), with its additive state row built.
/// </summary>
[MemoryDiagnoser]
public class EgressBenchmarks
{
    private readonly EgressTracker _tracker = new();
    private FlowSummaryRecord[] _flows = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var process = new ProcessFacts { Pid = 4242, Package = "postmark-mcp", PackageVersion = "1.0.16", McpServer = "postmark", McpClient = "claude-desktop" };
        static Endpoint Ep(string ip, ushort port) => new(IpAddress16.FromIPAddress(IPAddress.Parse(ip)), port);
        _flows = Enumerable.Range(0, 64).Select(i => new FlowSummaryRecord
        {
            FlowId = i, Key = new FlowKey(Ep("10.0.0.5", (ushort)(40000 + i)), Ep($"203.0.113.{i % 16 + 1}", 443)),
            StartTimestampNs = i, EndTimestampNs = i + 1, Closed = true, ServerName = $"d{i % 16}.example",
            BytesOut = 1000, BytesIn = 5000, Process = process,
        }).ToArray();
        _tracker.Accounted = static _ => { };
        foreach (var f in _flows) _tracker.OnFlowSummary(f);
    }

    [Benchmark(Description = "egress tracker: one flow summary (known destination)")]
    public void FlowSummary() => _tracker.OnFlowSummary(_flows[_next++ & 63]);
}
