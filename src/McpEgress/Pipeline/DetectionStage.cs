using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;

namespace McpEgress.Pipeline;

/// <summary>
/// Detection → output: every message is evaluated by the <see cref="DetectionEngine"/> and written with its alerts;
/// TLS session and unreadable mail-API records go to the output as they are. Counts what passes in
/// <see cref="PipelineStats"/>. One thread calls it: the packet thread with one worker, the merge thread with several
/// (the protocol stage's events arrive here in capture order either way).
/// </summary>
public sealed class DetectionStage(DetectionEngine detection, IEventOutput output, PipelineStats stats) : IProtocolEventSink
{
    private volatile DetectionEngine _detection = detection;

    /// <summary>
    /// The rules messages are evaluated with. A reload replaces it from any thread; each message is evaluated wholly
    /// with the engine read when it arrives here.
    /// </summary>
    public DetectionEngine Detection
    {
        get => _detection;
        set => _detection = value ?? throw new ArgumentNullException(nameof(value));
    }

    public PipelineStats Stats { get; } = stats;

    /// <summary>
    /// Holds messages whose sender is still being looked up for the rules that need it (live attribution); null: every
    /// rule judges each message at once. Its alerts that waited are written (and counted) after their message's event.
    /// </summary>
    public DeferredSenderRules? SenderRules
    {
        get => _senderRules;
        set
        {
            lock (_gate)
            {
                _senderRules = value;
                if (value is not null) value.Emit = OnDeferredAlerts;
            }
        }
    }
    private DeferredSenderRules? _senderRules;

    // Detection and output run on one thread (the packet thread, or the merge thread with several workers); late
    // attribution answers come from the daemon's loop. One lock, uncontended with one worker, serialises the two.
    private readonly Lock _gate = new();

    public void OnMessage(MailMessage message)
    {
        lock (_gate)
        {
            var detection = _detection;
            var alerts = _senderRules is { } deferred ? deferred.Evaluate(message, detection) : detection.Evaluate(message);
            Stats.Messages++;
            CountAlerts(alerts);
            output.OnMessage(message, alerts);
        }
    }

    /// <summary>A flow's sender lookup ended (any thread): messages that waited for it are judged by the rules that need it.</summary>
    public void SenderResolved(long flowId, ProcessFacts? process)
    {
        lock (_gate) _senderRules?.OnSenderResolved(flowId, process);
    }

    /// <summary>Messages that waited longer than the sender wait are judged without a sender (any thread).</summary>
    public void ExpireDeferred()
    {
        lock (_gate) _senderRules?.Expire();
    }

    /// <summary>End of the run: every message still waiting is judged without a sender.</summary>
    public void ReleaseDeferred()
    {
        lock (_gate) _senderRules?.ReleaseAll();
    }

    private void OnDeferredAlerts(IReadOnlyList<Alert> alerts)
    {
        lock (_gate)
        {
            CountAlerts(alerts);
            output.OnDeferredAlerts(alerts);
        }
    }

    private void CountAlerts(IReadOnlyList<Alert> alerts)
    {
        for (int i = 0; i < alerts.Count; i++)
        {
            var a = alerts[i];
            Stats.Alerts++;
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Stats.AlertsByRule, a.RuleId, out _)++;
            if (a.Severity == Severity.Critical) Stats.CriticalAlerts++;
            else if (a.Severity == Severity.High) Stats.HighAlerts++;
        }
    }

    public void OnTlsSession(TlsSessionRecord record)
    {
        lock (_gate)
        {
            if (record.Info.Decrypted) Stats.TlsDecrypted++;
            else Stats.TlsOpaque++;
            output.OnTlsSession(record);
        }
    }

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        lock (_gate)
        {
            Stats.MailApiUnreadable++;
            output.OnMailApiUnreadable(record);
        }
    }

    public void OnFlowSummary(FlowSummaryRecord record)
    {
        lock (_gate) output.OnFlowSummary(record);
    }
}
