namespace McpEgress.Detection.Baselines;

/// <summary>
/// Baselines held in memory for one run, bounded by <see cref="BaselineLimits"/>. Thread-safe (one lock: the
/// pipeline feeds one thread, a config reload hands the same store to the new engine).
/// </summary>
public sealed class InMemoryBaselineStore : IBaselineStore
{
    private readonly Lock _lock = new();
    private readonly BaselineLimits _limits;
    private readonly BoundedLru<string, SinkState> _sinks;
    private readonly BoundedLru<string, DomainState> _domains;
    private readonly BoundedLru<(string Sender, string Domain), bool> _senderDomains;
    private readonly BoundedLru<string, PackageState> _packages;

    public InMemoryBaselineStore(BaselineLimits? limits = null)
    {
        _limits = limits ?? BaselineLimits.Default;
        _sinks = new(_limits.MaxSinks, StringComparer.Ordinal);
        _domains = new(_limits.MaxHiddenDomains, StringComparer.Ordinal);
        _senderDomains = new(_limits.MaxSenderDomains);
        _packages = new(_limits.MaxPackages, StringComparer.Ordinal);
    }

    /// <summary>Told every change (the state database's write-behind); null: memory only.</summary>
    public IBaselineJournal? Journal { get; set; }

    public long Evictions
    {
        get { lock (_lock) return _sinks.Evictions + _domains.Evictions + _senderDomains.Evictions + _packages.Evictions; }
    }

    public long Count
    {
        get { lock (_lock) return _sinks.Count + _domains.Count + _senderDomains.Count + _packages.Count; }
    }

    public SinkWindow RecordSinkCopy(string sink, IReadOnlyCollection<string> visibleDomains, long timestampNs, long windowNs, int trackMessages, int trackDomains)
    {
        lock (_lock)
        {
            var s = _sinks.GetOrAdd(sink, (timestampNs, trackMessages, trackDomains),
                static x => new SinkState(x.timestampNs, Math.Clamp(x.trackMessages, 1, 1024), Math.Clamp(x.trackDomains, 1, 1024)), out _);
            s.Total++;
            s.Times[s.Next] = timestampNs;
            s.Next = (s.Next + 1) % s.Times.Length;
            if (visibleDomains is IReadOnlyList<string> list)
                for (int i = 0; i < list.Count; i++) s.Touch(list[i], timestampNs); // no enumerator object
            else
                foreach (var d in visibleDomains) s.Touch(d, timestampNs);
            Journal?.SinkChanged(s.Snapshot(sink));

            long since = timestampNs - windowNs;
            int messages = 0;
            foreach (var t in s.Times)
                if (t != long.MinValue && t >= since) messages++;
            var domains = new List<string>(s.Domains.Count);
            foreach (var (d, last) in s.Domains)
                if (last >= since) domains.Add(d);
            return new SinkWindow(messages, domains, s.FirstSeenNs, s.Total, s.LastAlertNs);
        }
    }

    public void MarkSinkAlerted(string sink, long timestampNs)
    {
        lock (_lock)
            if (_sinks.TryGet(sink, out var s))
            {
                s.LastAlertNs = timestampNs;
                Journal?.SinkChanged(s.Snapshot(sink));
            }
    }

    public HiddenDomainSeen RecordHiddenDomain(string domain, string? sender, long timestampNs)
    {
        lock (_lock)
        {
            var d = _domains.GetOrAdd(domain, timestampNs, static t => new DomainState(t), out bool newForHost);
            var seen = new HiddenDomainSeen(newForHost, false, d.FirstSeenNs, d.Messages);
            d.Messages++;
            Journal?.HiddenDomainChanged(domain, d.FirstSeenNs, d.Messages, timestampNs);
            if (sender is not null)
            {
                _senderDomains.GetOrAdd((sender, domain), static () => true, out bool newForSender);
                seen = seen with { NewForSender = newForSender };
                Journal?.SenderDomainSeen(sender, domain, timestampNs); // every time: refreshes the row against the retention
            }
            return seen;
        }
    }

    public SenderSeen RecordSenderMessage(string package, string version, IReadOnlyCollection<string> hiddenDomains, long timestampNs)
    {
        lock (_lock)
        {
            var p = _packages.GetOrAdd(package, static () => new PackageState(), out _);
            List<string>? fresh = null;
            foreach (var d in hiddenDomains)
                if (!p.Domains.Contains(d) && !(fresh?.Contains(d) ?? false)) (fresh ??= []).Add(d);

            var others = new List<VersionStats>();
            VersionStats? current = null;
            foreach (var v in p.Versions)
                if (v.Version == version) current = v;
                else others.Add(v);

            var updated = current is null
                ? new VersionStats(version, 1, timestampNs, timestampNs)
                : current with { Messages = current.Messages + 1, LastSeenNs = Math.Max(current.LastSeenNs, timestampNs) };
            if (current is not null) p.Versions.Remove(current);
            else if (p.Versions.Count >= _limits.MaxVersionsPerPackage) p.Versions.RemoveAt(0);
            p.Versions.Add(updated);
            Journal?.PackageVersionChanged(package, updated);

            if (fresh is not null)
                foreach (var d in fresh)
                {
                    if (p.Domains.Count >= _limits.MaxDomainsPerPackage) p.Domains.Remove(p.Domains.First());
                    p.Domains.Add(d);
                    Journal?.PackageDomainAdded(package, d, timestampNs);
                }
            return new SenderSeen(fresh ?? (IReadOnlyList<string>)[], others, current?.FirstSeenNs ?? timestampNs);
        }
    }

    // Restoring (the state database loads its rows here at start, oldest first, before the journal is attached).

    internal void RestoreSink(SinkSnapshot snap)
    {
        lock (_lock)
        {
            var s = _sinks.GetOrAdd(snap.Sink, () => new SinkState(snap.FirstSeenNs, Math.Clamp(snap.Times.Length, 1, 1024), Math.Clamp(snap.MaxDomains, 1, 1024)), out _);
            s.Total = snap.Total;
            s.LastAlertNs = snap.LastAlertNs;
            for (int i = 0; i < Math.Min(s.Times.Length, snap.Times.Length); i++) s.Times[i] = snap.Times[i];
            s.Next = snap.Times.Length == 0 ? 0 : Math.Clamp(snap.Next, 0, s.Times.Length - 1);
            foreach (var (d, t) in snap.Domains) s.Touch(d, t);
        }
    }

    internal void RestoreHiddenDomain(string domain, long firstSeenNs, long messages)
    {
        lock (_lock) _domains.GetOrAdd(domain, () => new DomainState(firstSeenNs), out _).Messages = messages;
    }

    internal void RestoreSenderDomain(string sender, string domain)
    {
        lock (_lock) _senderDomains.GetOrAdd((sender, domain), static () => true, out _);
    }

    internal void RestorePackageVersion(string package, VersionStats version)
    {
        lock (_lock)
        {
            var p = _packages.GetOrAdd(package, static () => new PackageState(), out _);
            p.Versions.RemoveAll(v => v.Version == version.Version);
            if (p.Versions.Count >= _limits.MaxVersionsPerPackage) p.Versions.RemoveAt(0);
            p.Versions.Add(version);
        }
    }

    internal void RestorePackageDomain(string package, string domain)
    {
        lock (_lock)
        {
            var p = _packages.GetOrAdd(package, static () => new PackageState(), out _);
            if (p.Domains.Count < _limits.MaxDomainsPerPackage) p.Domains.Add(domain);
        }
    }

    private sealed class SinkState
    {
        public SinkState(long firstSeenNs, int messages, int domains)
        {
            FirstSeenNs = firstSeenNs;
            Times = new long[messages];
            Array.Fill(Times, long.MinValue);
            Domains = new List<(string, long)>(Math.Min(domains, 4));
            MaxDomains = domains;
        }

        public long FirstSeenNs { get; }
        public long Total;
        public long LastAlertNs = long.MinValue;
        public readonly long[] Times; // ring of the most recent message times
        public int Next;
        public readonly List<(string Domain, long LastSeenNs)> Domains;
        private readonly int MaxDomains;

        public SinkSnapshot Snapshot(string sink) =>
            new(sink, FirstSeenNs, Total, LastAlertNs, (long[])Times.Clone(), Next, Domains.ToArray(), MaxDomains);

        /// <summary>Records a visible domain; when full, the one seen longest ago makes room.</summary>
        public void Touch(string domain, long ts)
        {
            int oldest = -1;
            for (int i = 0; i < Domains.Count; i++)
            {
                if (Domains[i].Domain == domain)
                {
                    Domains[i] = (domain, Math.Max(Domains[i].LastSeenNs, ts));
                    return;
                }
                if (oldest < 0 || Domains[i].LastSeenNs < Domains[oldest].LastSeenNs) oldest = i;
            }
            if (Domains.Count < MaxDomains) Domains.Add((domain, ts));
            else Domains[oldest] = (domain, ts);
        }
    }

    private sealed class DomainState(long firstSeenNs)
    {
        public long FirstSeenNs { get; } = firstSeenNs;
        public long Messages;
    }

    private sealed class PackageState
    {
        public readonly List<VersionStats> Versions = []; // first seen first
        public readonly HashSet<string> Domains = new(StringComparer.Ordinal);
    }
}
