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

    public void OnMessage(MailMessage message)
    {
        var alerts = _detection.Evaluate(message);
        Stats.Messages++;
        foreach (var a in alerts)
        {
            Stats.Alerts++;
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Stats.AlertsByRule, a.RuleId, out _)++;
            if (a.Severity == Severity.Critical) Stats.CriticalAlerts++;
            else if (a.Severity == Severity.High) Stats.HighAlerts++;
        }
        output.OnMessage(message, alerts);
    }

    public void OnTlsSession(TlsSessionRecord record)
    {
        if (record.Info.Decrypted) Stats.TlsDecrypted++;
        else Stats.TlsOpaque++;
        output.OnTlsSession(record);
    }

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        Stats.MailApiUnreadable++;
        output.OnMailApiUnreadable(record);
    }
}
