using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Inventory;
using McpEgress.Inventory.Advisories;
using McpEgress.State;

namespace McpEgress.Daemon;

/// <summary>
/// The daemon's MCP server inventory, off the packet path: a background thread (below normal priority) runs
/// <see cref="McpInventory.Scan"/> at start, every <see cref="InventoryWatchOptions.RefreshInterval"/> and when asked
/// (SIGHUP), one scan at a time, each bounded by <see cref="InventoryOptions"/>' limits. After each scan it
///   - sets <c>mcp_egress_mcp_server_info</c> to the servers found (series of servers gone are removed),
///   - writes an <c>mcp_egress.inventory</c> event per server that appeared, changed version or disappeared,
///   - raises <c>mcp-server-advisory</c> alerts (<see cref="McpServerAdvisoryRule"/>) for newly matching servers,
///   - publishes a <see cref="McpServerIndex"/> that names the MCP server of each attributed flow (<see cref="Refreshed"/>),
///   - records the scan in the state database (<see cref="State"/>, <see cref="InventoryHistory"/>), whose servers it
///     starts from: a restart reports what changed while the daemon was down, not every server as appeared.
/// A failing scan is logged and the previous state kept; the daemon never stops for it.
/// </summary>
public sealed class InventoryMonitor : IDisposable
{
    private readonly InventoryWatchOptions _options;
    private readonly EcsEventWriter _writer;
    private readonly EgressMetrics _metrics;
    private readonly Func<DetectionEngine> _detection;
    private readonly Action<string> _log;
    private readonly AutoResetEvent _wake = new(false);
    private readonly HashSet<string> _problemsLogged = new(StringComparer.Ordinal);
    private Dictionary<string, McpServerState> _previous = new(StringComparer.Ordinal);
    private AdvisoryDatabase? _advisories;
    private volatile bool _reloadAdvisories = true;
    private volatile bool _stop;
    private Thread? _thread;
    private long _refreshes;
    private bool _historyLoaded;

    /// <param name="detection">The current detection engine (its <see cref="DetectionEngine.McpServerAdvisory"/> rule; replaced by a config reload).</param>
    public InventoryMonitor(InventoryWatchOptions options, EcsEventWriter writer, EgressMetrics metrics, Func<DetectionEngine> detection, Action<string> log)
    {
        _options = options;
        _writer = writer;
        _metrics = metrics;
        _detection = detection;
        _log = log;
    }

    /// <summary>The state database the inventory's history is read from at the first refresh and written to after each; null: none.</summary>
    public StateDatabase? State { get; init; }

    /// <summary>After each refresh, with the new index (on the monitor's thread).</summary>
    public event Action<McpServerIndex>? Refreshed;

    /// <summary>Refreshes done.</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>The servers of the last refresh, by key.</summary>
    public IReadOnlyDictionary<string, McpServerState> Servers => Volatile.Read(ref _previous);

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "mcp-egress inventory", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Refresh now, re-reading the advisory folders (SIGHUP). Any thread.</summary>
    public void RequestRefresh()
    {
        _reloadAdvisories = true;
        _wake.Set();
    }

    private void Loop()
    {
        while (!_stop)
        {
            Refresh();
            _wake.WaitOne(_options.RefreshInterval);
        }
    }

    /// <summary>One scan, diff and export, on the calling thread.</summary>
    public void Refresh()
    {
        try
        {
            RefreshCore();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log($"warning: MCP server inventory refresh failed ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); keeping the previous inventory");
        }
        Interlocked.Increment(ref _refreshes);
    }

    private void RefreshCore()
    {
        if (!_historyLoaded)
        {
            _historyLoaded = true;
            if (State is { } db) Volatile.Write(ref _previous, InventoryHistory.LoadPresent(db, _log));
        }
        if (_reloadAdvisories || _advisories is null)
        {
            _reloadAdvisories = false;
            var db = AdvisoryDatabase.BuiltIn();
            foreach (var dir in _options.Advisories) db.AddDirectory(dir);
            _advisories = db;
        }
        var result = new McpInventory(new InventoryOptions
        {
            Homes = _options.Homes, ScanProcesses = _options.ScanProcesses, ProcRoot = _options.ProcRoot,
        }, _advisories).Scan();
        foreach (var p in result.Problems)
            if (_problemsLogged.Count < 1000 && _problemsLogged.Add(p.ToString())) _log($"inventory: {p}");

        var current = McpServerState.ByKey(result.Servers, _options.ProcRoot);

        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        var previous = _previous;
        foreach (var change in McpServerDiff.Compare(previous, current))
            _writer.WriteMcpServerChange(change, now);
        if (_detection().McpServerAdvisory is { } rule)
        {
            var alerts = new List<McpServerAlert>();
            foreach (var (key, state) in current) rule.Evaluate(state, previous.GetValueOrDefault(key), now, alerts);
            foreach (var a in alerts)
            {
                _writer.WriteMcpServerAlert(a);
                _metrics.OnAlert(a.RuleId, a.Severity);
                _log($"alert {a.RuleId}: {a.Message}");
            }
        }
        _metrics.SetMcpServers(current.Values.Select(s => new McpServerInfoLabels(s.Client, s.Name, s.Package ?? "", s.Version ?? "",
            s.Instrumented, string.Join(",", s.Advisories.Select(a => a.Id)))));
        Volatile.Write(ref _previous, current);
        if (State is { } stateDb) InventoryHistory.Record(stateDb, current.Values, now, result.Problems.Count);
        Refreshed?.Invoke(new McpServerIndex(current.Values));
    }

    public void Dispose()
    {
        _stop = true;
        _wake.Set();
        // A scan still walking a huge home after 5 s finishes on its own (a background thread); its event handle stays.
        if (_thread is null || _thread.Join(TimeSpan.FromSeconds(5))) _wake.Dispose();
    }
}
