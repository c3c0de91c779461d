using McpEgress.Detection.Baselines;
using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags a hidden mailbox that recurs across unrelated recipients: the same hidden address (<see cref="HiddenRecipients.SinkKey"/>:
/// case, IDN form and <c>+tag</c> ignored) on at least <c>min_messages</c> messages whose visible recipients span at
/// least <c>min_visible_domains</c> registrable domains, within <c>window_seconds</c> of packet time. Fires on the
/// message that meets both thresholds, then at most once per window per sink while it recurs. Needs no package
/// information: it works in replay and for SMTP from anything. Skipped: hidden recipients in the sender's or a visible
/// recipient's domain, allowed domains and known sinks (<see cref="KnownSinks"/>). Memory: one entry per sink in the
/// <see cref="IBaselineStore"/>, bounded (<see cref="BaselineLimits.MaxSinks"/>, least recently seen out).
/// </summary>
public sealed class HiddenSinkRule : IRule
{
    public const string RuleId = "hidden-sink";
    public const string RuleName = "Hidden mailbox recurring across unrelated recipients";
    public const Severity DefaultSeverity = Severity.Critical;

    public static readonly RuleThreshold MinMessages = new("min_messages", 3, 2, 1024, "messages to the same hidden mailbox within the window");
    public static readonly RuleThreshold MinVisibleDomains = new("min_visible_domains", 3, 1, 512, "distinct registrable domains of their visible recipients");
    public static readonly RuleThreshold WindowSeconds = new("window_seconds", 86_400, 60, 30 * 86_400, "the window, in seconds of packet time");
    public static IReadOnlyList<RuleThreshold> Thresholds { get; } = [MinMessages, MinVisibleDomains, WindowSeconds];

    private readonly IBaselineStore _store;
    private readonly DomainPattern[] _allowed;
    private readonly IReadOnlyList<KnownSink> _knownSinks;
    private readonly int _minMessages, _minDomains;
    private readonly long _windowNs;

    public HiddenSinkRule(IBaselineStore store, IEnumerable<DomainPattern> allowedHiddenDomains, RuleSettings? settings = null, Severity severity = DefaultSeverity,
        IReadOnlyList<KnownSink>? knownSinks = null)
    {
        settings ??= RuleSettings.Default;
        _store = store;
        _allowed = allowedHiddenDomains.ToArray();
        _knownSinks = knownSinks ?? KnownSinks.BuiltIn;
        _minMessages = (int)settings.Get(MinMessages);
        _minDomains = (int)settings.Get(MinVisibleDomains);
        _windowNs = settings.Get(WindowSeconds) * 1_000_000_000;
        Severity = severity;
    }

    public string Id => RuleId;
    public string Name => RuleName;
    public Severity Severity { get; }

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        var hidden = message.Hidden;
        if (hidden.Count == 0) return;
        var domains = HiddenRecipients.Domains(message);
        string sender = domains.Sender;
        List<string>? visible = null;
        var seen = new OnceSet();
        for (int i = 0; i < hidden.Count; i++)
        {
            var h = hidden[i];
            if (h.KnownSink is not null) continue;
            string d = domains.Hidden(i);
            if (d.Length == 0 || !HiddenRecipients.IsForeign(message, d, sender, _allowed, _knownSinks, ref visible)) continue;
            string sink = HiddenRecipients.SinkKey(h.Address);
            if (!seen.Add(sink)) continue;

            var w = _store.RecordSinkCopy(sink, domains.VisibleOrgs, message.TimestampNs, _windowNs, _minMessages, Math.Max(2 * _minDomains, 8));
            if (w.Messages < _minMessages || w.VisibleDomains.Count < _minDomains) continue;
            if (w.LastAlertNs != long.MinValue && message.TimestampNs - w.LastAlertNs < _windowNs) continue;
            _store.MarkSinkAlerted(sink, message.TimestampNs);

            long windowSeconds = _windowNs / 1_000_000_000;
            string text = $"Hidden recipient {h.Address.Address} (mailbox {sink}) was copied on {w.Messages} messages within " +
                          $"{Window(windowSeconds)} whose visible recipients span {w.VisibleDomains.Count} unrelated domains " +
                          $"({string.Join(", ", w.VisibleDomains.Take(10))}); first seen {SenderIdentity.Time(w.FirstSeenNs)}, " +
                          $"{w.TotalMessages} messages in all. One mailbox silently copied on mail to unrelated recipients is a collector." +
                          (SenderIdentity.Of(message.Process) is { } who ? $" This copy was sent by {who}." : "");
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, h.Address, HiddenRecipients.RoleOf(message, h), h.Address.Domain)
            {
                Baseline = new AlertBaseline
                {
                    Subject = sink,
                    FirstSeenNs = w.FirstSeenNs,
                    Messages = w.Messages,
                    WindowSeconds = windowSeconds,
                    VisibleDomains = w.VisibleDomains,
                    Sender = SenderIdentity.Of(message.Process),
                },
            });
        }
    }

    internal static string Window(long seconds) =>
        seconds % 3600 == 0 ? $"{seconds / 3600} h" : seconds % 60 == 0 ? $"{seconds / 60} min" : $"{seconds} s";
}
