using McpEgress.Pipeline;

namespace McpEgress.Cli;

/// <summary>The human summary a replay prints on stderr.</summary>
internal static class ReplaySummary
{
    public static void Write(TextWriter w, int files, MonitorPipeline p, TimeSpan elapsed)
    {
        var s = p.Stats;
        double secs = Math.Max(elapsed.TotalSeconds, 1e-6);
        w.WriteLine($"replayed {files} file(s): {s.Packets} packets, {s.Bytes / 1e6:F1} MB in {secs:F2} s ({s.Bytes / 1e6 / secs:F1} MB/s, {s.Packets / secs:F0} packets/s, {GC.CollectionCount(0)} GCs, {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms paused)");
        var r = p.ProtocolCounters;
        w.WriteLine($"tcp flows: {p.FlowsOpened}; protocol sessions: smtp {r.SmtpFlows}, tls {r.TlsFlows} ({s.TlsDecrypted} decrypted, {s.TlsOpaque} opaque), http {r.HttpFlows}, unidentified {r.UnidentifiedFlows}");
        if (r.TunnelRequests > 0)
        {
            // Only kinds that occurred: "tunnels: connect 2 (2 open), socks5 1 (1 open)".
            var parts = new List<string>();
            foreach (var kind in Enum.GetValues<McpEgress.Protocols.Tunnels.TunnelKind>())
            {
                long open = r.Tunnels(kind, McpEgress.Protocols.Tunnels.TunnelStatus.Established);
                long refused = r.Tunnels(kind, McpEgress.Protocols.Tunnels.TunnelStatus.Rejected);
                long lost = r.Tunnels(kind, McpEgress.Protocols.Tunnels.TunnelStatus.Unfollowable) + r.Tunnels(kind, McpEgress.Protocols.Tunnels.TunnelStatus.InProgress);
                if (open + refused + lost == 0) continue;
                parts.Add($"{McpEgress.Protocols.Tunnels.TunnelNames.Of(kind)} {open + refused + lost} ({open} open, {refused} refused, {lost} unfollowed)");
            }
            w.WriteLine("tunnels: " + string.Join(", ", parts));
        }
        w.WriteLine($"bypassed: {r.BypassedFlows} flows, {s.BypassedPackets} packets, {s.BypassedBytes / 1e6:F1} MB (followed for sequence numbers only; not drops)");
        w.WriteLine($"messages: {s.Messages}; alerts: {s.Alerts} ({s.CriticalAlerts} critical, {s.HighAlerts} high)");
        if (s.AlertsByRule.Count > 0)
            w.WriteLine("alerts by rule: " + string.Join(", ",
                s.AlertsByRule.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}")));
        var anomalies = p.Anomalies.Snapshot();
        w.WriteLine($"anomalies: {anomalies.Sum(a => a.Value)}" +
            (anomalies.Count == 0 ? "" : " (" + string.Join(", ", anomalies.Select(a => $"{a.Key.Stage}/{a.Key.Name}={a.Value}")) + ")"));
        if (p.LastInternalError is { } e) w.WriteLine($"internal errors: {s.InternalErrors} (last: {e})");
    }
}
