using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Detection.Egress;

/// <summary>
/// Per-server egress: for every flow summary (<see cref="FlowSummaryRecord"/>) whose process is an MCP server (named by
/// the annotator, or by <see cref="McpServers"/> here) — and, in a bound of their own, any other attributed sender — it
/// keeps each destination (SNI or HTTP host when the flow named one, else none; IP; port) with first and last seen,
/// connections and bytes each way, and reports a <see cref="NewDestination"/> the first time an MCP server reaches a
/// destination (its name, else its IP, with the port) it never reached before. Works without TLS keys.
/// <para>
/// Late processes: a summary without a process waits (bounded, oldest evicted) for <see cref="OnSenderResolved"/>,
/// which joins it by flow key; a resolution that comes while the flow is still open is kept (bounded) for the flow's
/// later summaries. A connection is counted once: at its open summary (destination named) or, without one, at its end;
/// bytes at its end.
/// </para>
/// <para>
/// Bounded (<see cref="EgressOptions"/>): past a bound nothing new is added and the overflow is counted. Thread-safe
/// (one lock, held for dictionary work only); the callbacks run under it, on the caller's thread (the pipeline's).
/// </para>
/// </summary>
public sealed class EgressTracker(EgressOptions? options = null)
{
    private readonly EgressOptions _options = options ?? EgressOptions.Default;
    private readonly object _gate = new();
    private readonly Dictionary<(string Client, string Server), Sender> _senders = new();
    private int _mcpServers, _otherSenders;
    private readonly BoundedMap<Pending> _pending = new();
    private readonly BoundedMap<ProcessFacts> _resolved = new();
    private McpServerIndex? _index;
    private long _newDestinations, _serverOverflow, _destinationOverflow, _pendingEvicted, _lateJoins;

    /// <summary>A server's first flow to a destination it never reached (the daemon writes the ECS event).</summary>
    public Action<NewDestination>? NewDestinationFound { get; set; }

    /// <summary>One flow's share of a row (connections and bytes to add): the daemon queues it to the state database.</summary>
    public Action<EgressRow>? Accounted { get; set; }

    /// <summary>The inventory's servers, to name a flow whose process facts do not (a late process, a refresh after the flow opened).</summary>
    public McpServerIndex? McpServers
    {
        get => Volatile.Read(ref _index);
        set => Volatile.Write(ref _index, value);
    }

    public long NewDestinations => Interlocked.Read(ref _newDestinations);
    /// <summary>Senders not tracked because <see cref="EgressOptions.MaxServers"/> or <see cref="EgressOptions.MaxOtherSenders"/> was reached.</summary>
    public long ServerOverflow => Interlocked.Read(ref _serverOverflow);
    /// <summary>Destinations not kept because a sender had <see cref="EgressOptions.MaxDestinationsPerServer"/>.</summary>
    public long DestinationOverflow => Interlocked.Read(ref _destinationOverflow);
    /// <summary>Summaries whose process never came (evicted from the pending table).</summary>
    public long PendingEvicted => Interlocked.Read(ref _pendingEvicted);
    /// <summary>Summaries accounted after their process was resolved late.</summary>
    public long LateJoins => Interlocked.Read(ref _lateJoins);
    public int PendingFlows { get { lock (_gate) return _pending.Count; } }

    /// <summary>
    /// Rows remembered from earlier runs (the state database): their destinations are known, so they are not new again.
    /// Call before the first summary. Rows past the bounds are skipped (counted as overflow).
    /// </summary>
    public void Load(IEnumerable<EgressRow> rows)
    {
        lock (_gate)
            foreach (var row in rows)
            {
                var sender = GetSender(row.Client, row.Server);
                if (sender is null) continue;
                sender.Package ??= row.Package;
                sender.Version ??= row.Version;
                var key = (row.Destination, row.Ip, row.Port);
                if (!sender.Rows.TryGetValue(key, out var stats))
                {
                    if (sender.Rows.Count >= _options.MaxDestinationsPerServer) { _destinationOverflow++; continue; }
                    sender.Rows[key] = stats = new Stats { FirstSeenNs = row.FirstSeenNs, LastSeenNs = row.LastSeenNs };
                }
                stats.FirstSeenNs = Math.Min(stats.FirstSeenNs, row.FirstSeenNs);
                stats.LastSeenNs = Math.Max(stats.LastSeenNs, row.LastSeenNs);
                stats.Connections += row.Connections;
                stats.BytesOut += row.BytesOut;
                stats.BytesIn += row.BytesIn;
                sender.Known.Add(Label(row.Destination, row.Ip, row.Port));
            }
    }

    public void OnFlowSummary(FlowSummaryRecord record)
    {
        lock (_gate)
        {
            var process = record.Process ?? _resolved.Get(record.Key);
            if (process is null)
            {
                if (_options.MaxPendingFlows == 0) return; // no late attribution to wait for
                // Wait for a late process; an earlier summary of the same flow (its open one) is folded in.
                bool countConnection = !record.ReportedOpen || (_pending.Get(record.Key)?.CountConnection ?? false);
                if (_pending.Put(record.Key, new Pending(record, countConnection), _options.MaxPendingFlows)) _pendingEvicted++;
                return;
            }
            Account(record, process, countConnection: !record.Closed || !record.ReportedOpen);
        }
    }

    /// <summary>
    /// The process of a flow became known after its summary (asynchronous attribution): the waiting summary is accounted
    /// to it, and later summaries of the same flow (still open) take it too.
    /// </summary>
    public void OnSenderResolved(FlowKey key, ProcessFacts process)
    {
        ArgumentNullException.ThrowIfNull(process);
        lock (_gate)
        {
            _resolved.Put(key, process, _options.MaxResolvedFlows);
            if (_pending.Remove(key) is not { } waiting) return;
            _lateJoins++;
            Account(waiting.Record, process, waiting.CountConnection);
        }
    }

    /// <summary>Every row now (tests, notes), by sender and destination.</summary>
    public List<EgressRow> Snapshot()
    {
        lock (_gate)
            return _senders.SelectMany(s => s.Value.Rows.Select(r => Row(s.Key.Client, s.Key.Server, s.Value, r.Key, r.Value)))
                .OrderBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Server, StringComparer.Ordinal)
                .ThenBy(r => r.Destination, StringComparer.Ordinal).ThenBy(r => r.Ip, StringComparer.Ordinal).ThenBy(r => r.Port).ToList();
    }

    /// <summary>Known destinations (name, else IP, with the port) per MCP server (client, name): the metric's values.</summary>
    public List<(string Client, string Server, int Destinations)> DestinationCounts()
    {
        lock (_gate)
            return _senders.Where(s => s.Key.Client.Length > 0).Select(s => (s.Key.Client, s.Key.Server, s.Value.Known.Count)).ToList();
    }

    private void Account(FlowSummaryRecord r, ProcessFacts process, bool countConnection)
    {
        if (process.McpServer is null && McpServers?.Find(process.Pid, process.Package) is { } server)
            process = process with { McpServer = server.Name, McpClient = server.Client, McpServerInstrumented = server.Instrumented };
        string client, name;
        if (process.McpServer is { } mcp) (client, name) = (string.IsNullOrEmpty(process.McpClient) ? "unknown" : process.McpClient, mcp);
        else if (SenderIdentity.Of(process) is { } identity) (client, name) = ("", identity);
        else return;
        var sender = GetSender(client, name);
        if (sender is null) return;
        if (process.Package is not null)
        {
            sender.Package = process.Package;
            sender.Version = process.PackageVersion ?? sender.Version;
        }

        string destination = DestinationName(r);
        string ip = r.Destination.Address.ToString();
        int port = r.Destination.Port;
        var key = (destination, ip, port);
        if (!sender.Rows.TryGetValue(key, out var stats))
        {
            if (sender.Rows.Count >= _options.MaxDestinationsPerServer)
            {
                _destinationOverflow++;
                return;
            }
            sender.Rows[key] = stats = new Stats { FirstSeenNs = r.StartTimestampNs, LastSeenNs = r.EndTimestampNs };
        }
        long connections = countConnection ? 1 : 0;
        long bytesOut = r.Closed ? r.BytesOut : 0, bytesIn = r.Closed ? r.BytesIn : 0; // an open summary's bytes come again at the end
        stats.FirstSeenNs = Math.Min(stats.FirstSeenNs, r.StartTimestampNs);
        stats.LastSeenNs = Math.Max(stats.LastSeenNs, r.EndTimestampNs);
        stats.Connections += connections;
        stats.BytesOut += bytesOut;
        stats.BytesIn += bytesIn;
        var delta = new EgressRow(client, name, sender.Package, sender.Version, destination, ip, port,
            r.StartTimestampNs, r.EndTimestampNs, connections, bytesOut, bytesIn);
        Accounted?.Invoke(delta);
        if (sender.Known.Add(Label(destination, ip, port)) && client.Length > 0)
        {
            _newDestinations++;
            NewDestinationFound?.Invoke(new NewDestination(delta with { Connections = stats.Connections }, process, r.FlowId, r.Source, r.Destination,
                r.StartTimestampNs, sender.Known.Count));
        }
    }

    /// <summary>The name the flow showed: SNI, else HTTP host, else the proxy tunnel's target; normalized, cut; "" when none.</summary>
    private string DestinationName(FlowSummaryRecord r)
    {
        var name = MailApiHosts.Normalize(r.ServerName) ?? MailApiHosts.Normalize(r.HttpHost) ?? MailApiHosts.Normalize(r.Tunnel?.TargetHost) ?? "";
        return name.Length > _options.MaxNameLength ? name[.._options.MaxNameLength] : name;
    }

    /// <summary>What "a destination" is for new-destination events: its name when the flow named one, else its IP; with the port.</summary>
    private static (string, int) Label(string destination, string ip, int port) => (destination.Length > 0 ? destination : ip, port);

    private Sender? GetSender(string client, string server)
    {
        if (_senders.TryGetValue((client, server), out var s)) return s;
        bool mcp = client.Length > 0;
        if (mcp ? _mcpServers >= _options.MaxServers : _otherSenders >= _options.MaxOtherSenders)
        {
            _serverOverflow++;
            return null;
        }
        if (mcp) _mcpServers++;
        else _otherSenders++;
        return _senders[(client, server)] = new Sender();
    }

    private static EgressRow Row(string client, string server, Sender s, (string Destination, string Ip, int Port) k, Stats v) =>
        new(client, server, s.Package, s.Version, k.Destination, k.Ip, k.Port, v.FirstSeenNs, v.LastSeenNs, v.Connections, v.BytesOut, v.BytesIn);

    private sealed class Sender
    {
        public string? Package, Version;
        public readonly Dictionary<(string Destination, string Ip, int Port), Stats> Rows = new();
        public readonly HashSet<(string, int)> Known = new();
    }

    private sealed class Stats
    {
        public long FirstSeenNs, LastSeenNs, Connections, BytesOut, BytesIn;
    }

    private sealed record Pending(FlowSummaryRecord Record, bool CountConnection);

    /// <summary>A map by flow key that forgets its oldest entry past a bound (insertion order; a re-put key moves to the back).</summary>
    private sealed class BoundedMap<T> where T : class
    {
        private readonly Dictionary<FlowKey, (T Value, long Stamp)> _map = new();
        private readonly Queue<(FlowKey Key, long Stamp)> _order = new();
        private long _stamp;

        public int Count => _map.Count;

        public T? Get(FlowKey key) => _map.TryGetValue(key, out var e) ? e.Value : null;

        public T? Remove(FlowKey key) => _map.Remove(key, out var e) ? e.Value : null;

        /// <summary>Stores; true when a live entry was evicted to make room.</summary>
        public bool Put(FlowKey key, T value, int max)
        {
            long stamp = ++_stamp;
            _map[key] = (value, stamp);
            _order.Enqueue((key, stamp));
            bool evicted = false;
            while (_order.Count > 0 && (_map.Count > max || _order.Count > 2 * Math.Max(max, 1)))
            {
                var (k, s) = _order.Dequeue();
                if (_map.TryGetValue(k, out var e) && e.Stamp == s)
                {
                    _map.Remove(k);
                    evicted = true;
                }
            }
            return evicted;
        }
    }
}
