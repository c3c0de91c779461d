using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using Prometheus;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// The metrics contract of METRICS.md (beside this file) as prometheus-net collectors in a registry of their own (never
/// the static default one, so tests and several daemons in one process don't share state), fed by the daemon.
/// prometheus-net creates a labelled series only when it is first asked for, so every series with fixed label values
/// is asked for here, at zero, and rate() and absent() work from the first scrape. Event methods are cheap (cached
/// children, lock-free increments) and may be called from the pipeline thread while the server scrapes on another.
/// </summary>
public sealed class EgressMetrics
{
    private const string Prefix = "mcp_egress_";

    private readonly EgressMetricsOptions _options;
    private readonly CappedLabelSet _domains;
    private readonly CappedLabelSet _packages;
    private readonly CappedLabelSet _interfaces;
    private readonly CappedLabelSet _unreadableReasons;
    private readonly CappedLabelSet _anomalyKeys;
    private readonly CappedLabelSet _mcpServers, _mcpClients, _mcpPackages, _mcpVersions, _mcpAdvisories;
    private readonly object _mcpLock = new();
    private HashSet<McpServerInfoLabels> _mcpSeries = [];
    private readonly ConcurrentDictionary<(bool Decrypted, int Destination, string Server, bool Instrumented), Counter.Child> _mcpTlsSessions = new();
    private readonly FrozenSet<string> _providers;
    private readonly FrozenSet<string> _tlsDestinations;

    private readonly Counter.Child _smtpMessages;
    private readonly FrozenDictionary<string, Counter.Child> _httpMessages;
    private readonly Counter.Child _toRecipients, _ccRecipients, _hiddenRecipients;
    private readonly ConcurrentDictionary<string, Counter.Child[]> _hiddenByDomain = new(StringComparer.Ordinal);
    private readonly FrozenDictionary<string, Counter.Child[]> _alertsByRule;
    private readonly ConcurrentDictionary<string, Counter.Child> _messagesByPackage = new(StringComparer.Ordinal);
    private readonly Counter.Child[] _tlsSessions; // [decrypted ? 1 : 0][destination index], flattened
    private readonly Counter.Child _reloadSuccess, _reloadFailure;
    private readonly FrozenDictionary<string, Counter.Child> _eventsWritten;

    private readonly object _captureLock = new();
    private readonly Dictionary<string, CumulativeCounterFeed[]> _captureFeeds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CumulativeCounterFeed[]> _bypassFeeds = new(StringComparer.Ordinal);
    private readonly List<CumulativeCounterFeed> _workerFeeds = [];

    private readonly CumulativeCounterFeed[] _attributionLookups, _deferredMessages;
    private readonly CumulativeCounterFeed _attributionScans, _attributionDropped;
    private Func<AttributionCounts>? _attribution;

    private readonly Dictionary<string, (IGauge Gauge, Func<double> Read)> _callbacks = new(StringComparer.Ordinal);

    private readonly Dictionary<string, CumulativeCounterFeed> _egressFeeds = new(StringComparer.Ordinal);
    private readonly CumulativeCounterFeed _stateDropsFeed;
    private Func<(long Servers, long Destinations, long Pending)>? _egressOverflow;
    private Func<long>? _stateDrops;

    private readonly object _anomalyLock = new();
    private readonly Dictionary<(string Stage, string Name), CumulativeCounterFeed> _anomalyFeeds = new();
    private AnomalyCounters? _anomalies;

    public EgressMetrics(EgressMetricsOptions? options = null)
    {
        _options = options ?? new EgressMetricsOptions();
        int maxLen = _options.MaxLabelValueLength;
        _domains = new CappedLabelSet(_options.HiddenDomainCap, maxLen);
        _packages = new CappedLabelSet(_options.PackageCap, maxLen, [EgressLabelValues.UnknownPackage]);
        _interfaces = new CappedLabelSet(_options.InterfaceCap, maxLen);
        _unreadableReasons = new CappedLabelSet(_options.UnreadableReasonCap, maxLen);
        _anomalyKeys = new CappedLabelSet(_options.AnomalySeriesCap, 2 * maxLen + 1);
        _mcpServers = new CappedLabelSet(_options.McpServerCap, maxLen);
        _mcpClients = new CappedLabelSet(_options.McpServerCap, maxLen);
        _mcpPackages = new CappedLabelSet(_options.McpServerCap, maxLen);
        _mcpVersions = new CappedLabelSet(_options.McpServerCap, maxLen);
        _mcpAdvisories = new CappedLabelSet(_options.McpServerCap, maxLen);
        _providers = EgressLabelValues.Providers.ToFrozenSet(StringComparer.Ordinal);
        _tlsDestinations = EgressLabelValues.TlsDestinations.ToFrozenSet(StringComparer.Ordinal);

        var r = Metrics.WithCustomRegistry(Registry);
        BuildInfo = r.CreateGauge(Prefix + "build_info", "Build identity; always 1.", "version", "commit", "dotnet");
        StartTimeSeconds = r.CreateGauge(Prefix + "start_time_seconds", "Unix time the daemon started, in seconds.");
        MessagesTotal = r.CreateCounter(Prefix + "messages_total", "Outbound mail messages seen, by transport and mail API provider.", "transport", "provider");
        RecipientsTotal = r.CreateCounter(Prefix + "recipients_total", "Recipients of messages seen, by role (to: To+Resent-To, cc: Cc+Resent-Cc, hidden: Bcc fields and envelope-only).", "role");
        HiddenRecipientsTotal = r.CreateCounter(Prefix + "hidden_recipients_total", "Hidden recipients by registrable domain (first " + _options.HiddenDomainCap + " distinct, then other) and reason.", "domain", "reason");
        AlertsTotal = r.CreateCounter(Prefix + "alerts_total", "Alerts raised, by rule and severity.", "rule", "severity");
        ProcessMessagesTotal = r.CreateCounter(Prefix + "process_messages_total", "Messages per sending program: npm package name (first " + _options.PackageCap + " distinct, then other), or unknown.", "package");
        TlsSessionsTotal = r.CreateCounter(Prefix + "tls_sessions_total", "TLS sessions ended, by whether any record was decrypted, destination (smtp, a mail API provider, other), and the inventoried MCP server that opened it (empty: none known) and whether that server is instrumented to write key logs.", "decrypted", "destination", "mcp_server", "instrumented");
        MailApiUnreadableTotal = r.CreateCounter(Prefix + "mail_api_unreadable_total", "Send calls to mail APIs whose payload could not be read, by provider and reason.", "provider", "reason");
        CapturePacketsTotal = r.CreateCounter(Prefix + "capture_packets_total", "Packets received from libpcap.", "interface");
        CaptureBytesTotal = r.CreateCounter(Prefix + "capture_bytes_total", "Bytes received from libpcap.", "interface");
        CaptureDropsTotal = r.CreateCounter(Prefix + "capture_drops_total", "Packets lost: kernel (pcap ps_drop), interface (ps_ifdrop), queue (our bounded capture queue).", "interface", "cause");
        BypassedPacketsTotal = r.CreateCounter(Prefix + "bypassed_packets_total", "Packets of bypassed flows (nothing in them could matter; not drops), by where: shed by capture before the queue, or followed by reassembly for sequence numbers only.", "stage");
        WorkerPacketsTotal = r.CreateCounter(Prefix + "worker_packets_total", "Packets each packet worker processed for the flows it owns (all of a flow's packets go to one worker: a lopsided split shows here).", "worker");
        BypassedBytesTotal = r.CreateCounter(Prefix + "bypassed_bytes_total", "Captured bytes of bypassed_packets_total, by the same stage.", "stage");
        AnomaliesTotal = r.CreateCounter(Prefix + "anomalies_total", "Malformed-input anomalies, by pipeline stage and name.", "stage", "name");
        ActiveFlows = r.CreateGauge(Prefix + "active_flows", "TCP flows in the reassembly table.");
        BufferedBytes = r.CreateGauge(Prefix + "buffered_bytes", "Bytes held in memory, by kind.", "kind");
        KeylogSecrets = r.CreateGauge(Prefix + "keylog_secrets", "TLS secrets currently known from key logs.");
        LastMessageTimestampSeconds = r.CreateGauge(Prefix + "last_message_timestamp_seconds", "Packet time of the last message seen, Unix seconds.");
        ConfigReloadsTotal = r.CreateCounter(Prefix + "config_reloads_total", "Configuration reloads (SIGHUP), by result.", "result");
        EventsWrittenTotal = r.CreateCounter(Prefix + "events_written_total", "NDJSON events written, by kind.", "kind");
        McpServerDestinations = r.CreateGauge(Prefix + "mcp_server_destinations", "Distinct destinations (name when the flow showed one, else IP; with the port) each MCP server has reached (per-server egress, remembered across restarts with a state file).", "client", "server");
        EgressOverflowTotal = r.CreateCounter(Prefix + "egress_overflow_total", "Per-server egress not kept because a bound was reached: a sender past egress max servers, a destination past max destinations per server, a flow summary whose process never came.", "limit");
        StateWritesDroppedTotal = r.CreateCounter(Prefix + "state_writes_dropped_total", "State database writes dropped because its queue was full (baselines, inventory history, egress not saved).");
        AttributionQueueDepth = r.CreateGauge(Prefix + "attribution_queue_depth", "Process attribution lookups waiting, or answered and not yet taken by the pipeline.");
        AttributionLookupsTotal = r.CreateCounter(Prefix + "attribution_lookups_total", "Process attribution lookups answered, by result (process, socket_only, syn_tap, no_socket, not_local, negative_cache).", "result");
        AttributionScansTotal = r.CreateCounter(Prefix + "attribution_scans_total", "Reads of /proc/net/tcp{,6} by the attribution service (each answers a batch of lookups).");
        AttributionDroppedTotal = r.CreateCounter(Prefix + "attribution_dropped_total", "Process attribution requests refused because the queue was full.");
        DeferredMessagesTotal = r.CreateCounter(Prefix + "deferred_messages_total", "Messages whose sender-dependent rules waited for the sender: held, then resolved, unresolved (no process), timeout; overflow: not held, the table was full.", "outcome");
        McpServerInfo = r.CreateGauge(Prefix + "mcp_server_info", "MCP servers the host is configured to run or runs (inventory); always 1. advisory: the matching advisory ids, comma-separated, empty when none.", "client", "server", "package", "version", "instrumented", "advisory");

        var (builtVersion, builtCommit) = BuildIdentity(
            typeof(EgressMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
        BuildInfo.WithLabels(_options.Version ?? builtVersion, _options.Commit ?? builtCommit, Environment.Version.ToString()).Set(1);
        StartTimeSeconds.Set((_options.StartTime ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds() / 1000.0);

        _smtpMessages = MessagesTotal.WithLabels("smtp", EgressLabelValues.NoProvider);
        _httpMessages = EgressLabelValues.Providers.ToFrozenDictionary(p => p, p => MessagesTotal.WithLabels("http", p), StringComparer.Ordinal);
        _toRecipients = RecipientsTotal.WithLabels("to");
        _ccRecipients = RecipientsTotal.WithLabels("cc");
        _hiddenRecipients = RecipientsTotal.WithLabels("hidden");
        _alertsByRule = DetectionEngine.KnownRuleIds.ToFrozenDictionary(id => id, AlertSeries, StringComparer.Ordinal);
        _messagesByPackage[EgressLabelValues.UnknownPackage] = ProcessMessagesTotal.WithLabels(EgressLabelValues.UnknownPackage);
        var dests = EgressLabelValues.TlsDestinations;
        _tlsSessions = new Counter.Child[2 * dests.Count];
        for (int i = 0; i < dests.Count; i++)
        {
            _tlsSessions[i] = TlsSessionsTotal.WithLabels("false", dests[i], "", "");
            _tlsSessions[dests.Count + i] = TlsSessionsTotal.WithLabels("true", dests[i], "", "");
        }
        foreach (var kind in EgressLabelValues.BufferKinds) BufferedBytes.WithLabels(kind);
        _reloadSuccess = ConfigReloadsTotal.WithLabels("success");
        _reloadFailure = ConfigReloadsTotal.WithLabels("failure");
        _eventsWritten = EgressLabelValues.EventKinds.ToFrozenDictionary(k => k, k => EventsWrittenTotal.WithLabels(k), StringComparer.Ordinal);
        _attributionLookups = EgressLabelValues.AttributionResults.Select(v => new CumulativeCounterFeed(AttributionLookupsTotal.WithLabels(v))).ToArray();
        _deferredMessages = EgressLabelValues.DeferredOutcomes.Select(v => new CumulativeCounterFeed(DeferredMessagesTotal.WithLabels(v))).ToArray();
        _attributionScans = new CumulativeCounterFeed(AttributionScansTotal);
        _attributionDropped = new CumulativeCounterFeed(AttributionDroppedTotal);
        // Every catalogued anomaly exists at zero; these series don't count against AnomalySeriesCap.
        foreach (var a in AnomalyCatalog.All)
            _anomalyFeeds[(a.Stage, a.Name)] = new CumulativeCounterFeed(AnomaliesTotal.WithLabels(a.Stage, a.Name));

        foreach (var limit in EgressLabelValues.EgressLimits) _egressFeeds[limit] = new CumulativeCounterFeed(EgressOverflowTotal.WithLabels(limit));
        _stateDropsFeed = new CumulativeCounterFeed(StateWritesDroppedTotal);

        Registry.AddBeforeCollectCallback(BeforeCollect);
        SetBypassStats("capture", 0, 0);
        SetBypassStats("reassembly", 0, 0);
    }

    /// <summary>This instance's registry: what /metrics serves.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Gauge BuildInfo { get; }
    public Gauge StartTimeSeconds { get; }
    public Counter MessagesTotal { get; }
    public Counter RecipientsTotal { get; }
    public Counter HiddenRecipientsTotal { get; }
    public Counter AlertsTotal { get; }
    public Counter ProcessMessagesTotal { get; }
    public Counter TlsSessionsTotal { get; }
    public Counter MailApiUnreadableTotal { get; }
    public Counter CapturePacketsTotal { get; }
    public Counter CaptureBytesTotal { get; }
    public Counter CaptureDropsTotal { get; }
    public Counter BypassedPacketsTotal { get; }
    public Counter WorkerPacketsTotal { get; }
    public Counter BypassedBytesTotal { get; }
    public Counter AnomaliesTotal { get; }
    public Gauge ActiveFlows { get; }
    public Gauge BufferedBytes { get; }
    public Gauge KeylogSecrets { get; }
    public Gauge LastMessageTimestampSeconds { get; }
    public Counter ConfigReloadsTotal { get; }
    public Counter EventsWrittenTotal { get; }
    public Gauge McpServerInfo { get; }
    public Gauge McpServerDestinations { get; }
    public Counter EgressOverflowTotal { get; }
    public Counter StateWritesDroppedTotal { get; }
    public Gauge AttributionQueueDepth { get; }
    public Counter AttributionLookupsTotal { get; }
    public Counter AttributionScansTotal { get; }
    public Counter AttributionDroppedTotal { get; }
    public Counter DeferredMessagesTotal { get; }

    /// <summary>
    /// Reads the attribution and deferred-rule counts from <paramref name="read"/> at each scrape (on the scraping thread:
    /// it must be thread-safe and cheap). Null stops reading.
    /// </summary>
    public void SetAttributionSource(Func<AttributionCounts>? read) => Volatile.Write(ref _attribution, read);

    private void CollectAttribution()
    {
        if (Volatile.Read(ref _attribution) is not { } read) return;
        var c = read();
        AttributionQueueDepth.Set(c.QueueDepth);
        for (int i = 0; i < _attributionLookups.Length && i < (c.Lookups?.Length ?? 0); i++) _attributionLookups[i].Observe(c.Lookups![i]);
        for (int i = 0; i < _deferredMessages.Length && i < (c.Deferred?.Length ?? 0); i++) _deferredMessages[i].Observe(c.Deferred![i]);
        _attributionScans.Observe(c.Scans);
        _attributionDropped.Observe(c.Dropped);
    }

    /// <summary>
    /// Counts one message: transport/provider, recipients per role, hidden recipients by registrable domain and
    /// reason, its alerts, the sending program (<paramref name="package"/>: npm package name, null when unknown),
    /// and the last-message time.
    /// </summary>
    public void OnMessage(MailMessage m, IReadOnlyList<Alert> alerts, string? package)
    {
        if (m.Transport == MailTransport.Smtp) _smtpMessages.Inc();
        else if (m.Provider is { } p && _httpMessages.TryGetValue(p, out var s)) s.Inc();
        else MessagesTotal.WithLabels("http", EgressLabelValues.Other).Inc();

        // prometheus-net rejects a negative increment; a count is never negative, and zero is skipped as a no-op.
        if (m.To.Count + m.ResentTo.Count is > 0 and var to) _toRecipients.Inc(to);
        if (m.Cc.Count + m.ResentCc.Count is > 0 and var cc) _ccRecipients.Inc(cc);
        if (m.Hidden.Count > 0) _hiddenRecipients.Inc(m.Hidden.Count);
        foreach (var h in m.Hidden)
        {
            string domain = _domains.Map(RegistrableDomain.Of(h.Address.Domain));
            var pair = _hiddenByDomain.GetOrAdd(domain, static (d, family) =>
                [family.WithLabels(d, "bcc_field"), family.WithLabels(d, "envelope_only")], HiddenRecipientsTotal);
            pair[h.Reason == HiddenReason.BccField ? 0 : 1].Inc();
        }

        foreach (var a in alerts) OnAlert(a.RuleId, a.Severity);

        string pkg = string.IsNullOrEmpty(package) ? EgressLabelValues.UnknownPackage : _packages.Map(package);
        _messagesByPackage.GetOrAdd(pkg, static (k, family) => family.WithLabels(k), ProcessMessagesTotal).Inc();

        if (m.TimestampNs > 0) LastMessageTimestampSeconds.Set(m.TimestampNs / 1e9);
    }

    /// <summary>Counts one alert of <paramref name="ruleId"/> (an unknown rule id counts as "other").</summary>
    public void OnAlert(string ruleId, Severity severity)
    {
        int sev = Math.Clamp((int)severity, 0, EgressLabelValues.Severities.Count - 1);
        if (_alertsByRule.TryGetValue(ruleId, out var bySeverity)) bySeverity[sev].Inc();
        else AlertsTotal.WithLabels(EgressLabelValues.Other, EgressLabelValues.Severities[sev]).Inc();
    }

    /// <summary>
    /// Counts one ended TLS session. <paramref name="destination"/> is "smtp", a provider id or "other" (the daemon
    /// decides from SNI and protocol); anything else is counted as "other". A session opened by an inventoried MCP
    /// server (<see cref="ProcessFacts.McpServer"/>) carries its name (capped) and whether it is instrumented.
    /// </summary>
    public void OnTlsSession(TlsSessionRecord r, string destination)
    {
        var dests = EgressLabelValues.TlsDestinations;
        int i = _tlsDestinations.Contains(destination) ? IndexOf(dests, destination) : dests.Count - 1;
        if (r.Process is { McpServer: { } server } p)
        {
            _mcpTlsSessions.GetOrAdd((r.Info.Decrypted, i, _mcpServers.Map(server), p.McpServerInstrumented),
                static (k, family) => family.WithLabels(k.Decrypted ? "true" : "false", EgressLabelValues.TlsDestinations[k.Destination],
                    k.Server, k.Instrumented ? "true" : "false"), TlsSessionsTotal).Inc();
            return;
        }
        _tlsSessions[(r.Info.Decrypted ? dests.Count : 0) + i].Inc();
    }

    /// <summary>
    /// Sets <c>mcp_egress_mcp_server_info</c> to exactly <paramref name="servers"/>: a series (value 1) per distinct
    /// label set, each value capped (<see cref="EgressMetricsOptions.McpServerCap"/> distinct values per label, then
    /// "other"); series of servers no longer present are removed. Called by the inventory refresh, off the packet path.
    /// </summary>
    public void SetMcpServers(IEnumerable<McpServerInfoLabels> servers)
    {
        var next = new HashSet<McpServerInfoLabels>();
        foreach (var s in servers)
            next.Add(new McpServerInfoLabels(_mcpClients.Map(s.Client), _mcpServers.Map(s.Server), Optional(_mcpPackages, s.Package),
                Optional(_mcpVersions, s.Version), s.Instrumented, Optional(_mcpAdvisories, s.Advisory)));
        lock (_mcpLock)
        {
            foreach (var gone in _mcpSeries)
                if (!next.Contains(gone)) McpServerInfo.RemoveLabelled(gone.Values());
            foreach (var now in next) McpServerInfo.WithLabels(now.Values()).Set(1);
            _mcpSeries = next;
        }
    }

    /// <summary>Sets an MCP server's count of destinations (labels capped as for mcp_server_info). Called when it reaches a new one.</summary>
    public void SetMcpServerDestinations(string client, string server, int destinations) =>
        McpServerDestinations.WithLabels(_mcpClients.Map(client), _mcpServers.Map(server)).Set(destinations);

    /// <summary>Reads the egress tracker's overflow counts (servers, destinations, pending) at each scrape.</summary>
    public void SetEgressOverflowCallback(Func<(long Servers, long Destinations, long Pending)>? callback)
    {
        lock (_callbacks) _egressOverflow = callback;
    }

    /// <summary>Reads the state database's dropped writes at each scrape (a new database continues the counter).</summary>
    public void SetStateWritesDroppedCallback(Func<long>? callback)
    {
        lock (_callbacks)
        {
            _stateDrops = callback;
            _stateDropsFeed.Reset();
        }
    }

    private static string Optional(CappedLabelSet set, string value) => value.Length == 0 ? "" : set.Map(value);

    /// <summary>Counts a mail-API send call whose payload could not be read. Reason ids come from code; capped anyway.</summary>
    public void OnMailApiUnreadable(string provider, string reason)
    {
        string p = _providers.Contains(provider) ? provider : EgressLabelValues.Other;
        MailApiUnreadableTotal.WithLabels(p, _unreadableReasons.Map(reason)).Inc();
    }

    /// <summary>Creates an interface's capture series at zero (call at start-up, before the first stats poll).</summary>
    public void AddInterface(string iface) => SetCaptureStats(iface, 0, 0, 0, 0, 0);

    /// <summary>
    /// Feeds the capture counters from cumulative values (pcap_stats and our queue's drop count). A value lower than
    /// the previous one is taken as a restart of the source, so the exported counters never go down.
    /// </summary>
    public void SetCaptureStats(string iface, long packets, long bytes, long kernelDrops, long ifDrops, long queueDrops)
    {
        string name = _interfaces.Map(iface);
        lock (_captureLock)
        {
            if (!_captureFeeds.TryGetValue(name, out var f))
            {
                f =
                [
                    new(CapturePacketsTotal.WithLabels(name)),
                    new(CaptureBytesTotal.WithLabels(name)),
                    new(CaptureDropsTotal.WithLabels(name, "kernel")),
                    new(CaptureDropsTotal.WithLabels(name, "interface")),
                    new(CaptureDropsTotal.WithLabels(name, "queue")),
                ];
                _captureFeeds[name] = f;
            }
            f[0].Observe(packets);
            f[1].Observe(bytes);
            f[2].Observe(kernelDrops);
            f[3].Observe(ifDrops);
            f[4].Observe(queueDrops);
        }
    }

    /// <summary>Feeds the bypass counters of one stage ("capture", "reassembly") from cumulative values.</summary>
    public void SetBypassStats(string stage, long packets, long bytes)
    {
        lock (_captureLock)
        {
            if (!_bypassFeeds.TryGetValue(stage, out var f))
            {
                f = [new(BypassedPacketsTotal.WithLabels(stage)), new(BypassedBytesTotal.WithLabels(stage))];
                _bypassFeeds[stage] = f;
            }
            f[0].Observe(packets);
            f[1].Observe(bytes);
        }
    }

    /// <summary>Feeds mcp_egress_worker_packets_total of worker <paramref name="worker"/> (0-based) from its cumulative count.</summary>
    public void SetWorkerPackets(int worker, long packets)
    {
        lock (_captureLock)
        {
            while (_workerFeeds.Count <= worker)
                _workerFeeds.Add(new CumulativeCounterFeed(WorkerPacketsTotal.WithLabels(_workerFeeds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            _workerFeeds[worker].Observe(packets);
        }
    }

    public void OnConfigReload(bool ok) => (ok ? _reloadSuccess : _reloadFailure).Inc();

    /// <summary>Counts one NDJSON event written: kind "message", "alert" or "tls" (others count as "other").</summary>
    public void OnEventWritten(string kind, long count = 1)
    {
        if (_eventsWritten.TryGetValue(kind, out var s)) s.Inc(count);
        else EventsWrittenTotal.WithLabels(EgressLabelValues.Other).Inc(count);
    }

    /// <summary>
    /// Reads mcp_egress_active_flows from <paramref name="callback"/> at each scrape (on the scraping thread, so it
    /// must be thread-safe and cheap; if it throws, the sample is NaN). Null keeps the last value read.
    /// </summary>
    public void SetActiveFlowsCallback(Func<double>? callback) => SetCallback("active_flows", ActiveFlows, callback);

    /// <summary>Reads mcp_egress_buffered_bytes{kind} from <paramref name="callback"/> at each scrape. Kind: reassembly, tls_parked, capture_queue.</summary>
    public void SetBufferedBytesCallback(string kind, Func<double>? callback)
    {
        if (!EgressLabelValues.BufferKinds.Contains(kind))
            throw new ArgumentException($"unknown buffered_bytes kind '{kind}'", nameof(kind));
        SetCallback("buffered_bytes/" + kind, BufferedBytes.WithLabels(kind), callback);
    }

    /// <summary>Reads mcp_egress_keylog_secrets from <paramref name="callback"/> at each scrape.</summary>
    public void SetKeylogSecretsCallback(Func<double>? callback) => SetCallback("keylog_secrets", KeylogSecrets, callback);

    /// <summary>
    /// Exports <paramref name="anomalies"/> as mcp_egress_anomalies_total{stage,name}, read at each scrape. Attaching
    /// a new table (a restarted pipeline) continues the counters from where they were.
    /// </summary>
    public void AttachAnomalies(AnomalyCounters? anomalies)
    {
        lock (_anomalyLock)
        {
            _anomalies = anomalies;
            foreach (var f in _anomalyFeeds.Values) f.Reset();
        }
    }

    /// <summary>Writes what /metrics serves (Prometheus text format 0.0.4) to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();

    /// <summary>The exposition as a string (tests, the Grafana sample).</summary>
    public string ToText()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    private void SetCallback(string series, IGauge gauge, Func<double>? callback)
    {
        lock (_callbacks)
        {
            if (callback is null) _callbacks.Remove(series);
            else _callbacks[series] = (gauge, callback);
        }
    }

    /// <summary>Runs at the start of every scrape: gauges read from their sources, anomaly counters from the table.</summary>
    private void BeforeCollect()
    {
        lock (_callbacks)
        {
            foreach (var (gauge, read) in _callbacks.Values)
            {
                // A failing source must not take the whole exposition down.
                try { gauge.Set(read()); }
                catch (Exception) { gauge.Set(double.NaN); }
            }
            try
            {
                if (_stateDrops is { } drops) _stateDropsFeed.Observe(drops());
                if (_egressOverflow is { } overflow)
                {
                    var (servers, destinations, pending) = overflow();
                    _egressFeeds["servers"].Observe(servers);
                    _egressFeeds["destinations"].Observe(destinations);
                    _egressFeeds["pending"].Observe(pending);
                }
            }
            catch (Exception) { }
        }
        try { CollectAnomalies(); }
        catch (Exception) { }
        lock (_attributionLookups)
        {
            try { CollectAttribution(); }
            catch (Exception) { }
        }
    }

    private void CollectAnomalies()
    {
        lock (_anomalyLock)
        {
            if (_anomalies is null) return;
            foreach (var kv in _anomalies.Snapshot())
            {
                if (!_anomalyFeeds.TryGetValue(kv.Key, out var feed))
                {
                    var (stage, name) = kv.Key;
                    // Not catalogued (catalogued series were created in the constructor). Names come from code, so this
                    // cap only guards against a bug that would mint names from input.
                    if (_anomalyKeys.Map(stage + "/" + name) == CappedLabelSet.Other) name = CappedLabelSet.Other;
                    feed = new CumulativeCounterFeed(AnomaliesTotal.WithLabels(stage, name));
                    _anomalyFeeds[kv.Key] = feed;
                }
                feed.Observe(kv.Value);
            }
        }
    }

    private Counter.Child[] AlertSeries(string ruleId)
    {
        var s = new Counter.Child[EgressLabelValues.Severities.Count];
        for (int i = 0; i < s.Length; i++) s[i] = AlertsTotal.WithLabels(ruleId, EgressLabelValues.Severities[i]);
        return s;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
            if (string.Equals(list[i], value, StringComparison.Ordinal)) return i;
        return list.Count - 1;
    }

    /// <summary>
    /// "1.0.0+0123456789ab" (the SDK appends the build's git commit, Directory.Build.props) as version and commit;
    /// "unknown" for what the build did not record.
    /// </summary>
    internal static (string Version, string Commit) BuildIdentity(string? informationalVersion)
    {
        if (string.IsNullOrEmpty(informationalVersion)) return ("unknown", "unknown");
        int plus = informationalVersion.IndexOf('+');
        return plus < 0 ? (informationalVersion, "unknown")
            : (informationalVersion[..plus], informationalVersion[(plus + 1)..] is { Length: > 0 } c ? c : "unknown");
    }
}
