using McpEgress.Detection.Baselines;
using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags a package whose earlier versions sent mail with no hidden recipient in a domain, and which now sends one:
/// on the first such message, naming the old and new versions and how many messages the old ones sent. The sender is
/// the npm/PyPI package of the sending process (<see cref="ProcessFacts.Package"/> and
/// <see cref="ProcessFacts.PackageVersion"/>); a message without both is not judged (and not counted). Every message
/// of a package is recorded, clean or not, so "earlier versions" are the versions first seen before this one's. Known
/// sinks and allowed domains are judged too (an attacker can open a CRM account); own and visible domains are not.
/// This is the postmark-mcp incident: fifteen clean versions, then 1.0.16 copies every message.
/// </summary>
public sealed class BehaviourChangeRule : IRule
{
    public const string RuleId = "behaviour-change";
    public const string RuleName = "Package started sending hidden copies after a version change";
    public const Severity DefaultSeverity = Severity.Critical;

    public static readonly RuleThreshold MinOldMessages = new("min_old_messages", 1, 1, 1_000_000, "messages the earlier versions must have sent");
    public static IReadOnlyList<RuleThreshold> Thresholds { get; } = [MinOldMessages];

    private readonly IBaselineStore _store;
    private readonly long _minOld;

    public BehaviourChangeRule(IBaselineStore store, RuleSettings? settings = null, Severity severity = DefaultSeverity)
    {
        _store = store;
        _minOld = (settings ?? RuleSettings.Default).Get(MinOldMessages);
        Severity = severity;
    }

    public string Id => RuleId;
    public string Name => RuleName;
    public bool NeedsSender => true;
    public Severity Severity { get; }

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        if (message.Process is not { Package: { Length: > 0 } package, PackageVersion: { Length: > 0 } version }) return;
        var domains = HiddenRecipients.Domains(message);
        string sender = domains.Sender;
        List<string>? visible = null;
        var orgs = new List<string>();
        var first = new Dictionary<string, HiddenRecipient>(StringComparer.Ordinal);
        var hidden = message.Hidden;
        for (int i = 0; i < hidden.Count; i++)
        {
            var h = hidden[i];
            string d = domains.Hidden(i);
            if (d.Length == 0 || HiddenRecipients.IsOwnOrVisible(message, d, sender, ref visible)) continue;
            string org = RegistrableDomain.Of(d);
            if (org.Length > 0 && first.TryAdd(org, h)) orgs.Add(org);
        }

        var seen = _store.RecordSenderMessage(package, version, orgs, message.TimestampNs);
        if (seen.NewDomains.Count == 0) return;
        var earlier = seen.OtherVersions.Where(v => v.FirstSeenNs <= seen.VersionFirstSeenNs).ToList();
        long oldMessages = earlier.Sum(v => v.Messages);
        if (earlier.Count == 0 || oldMessages < _minOld) return;

        string oldList = string.Join(", ", earlier.Take(5).Select(v => $"{v.Version} ({v.Messages})")) + (earlier.Count > 5 ? $" and {earlier.Count - 5} more" : "");
        foreach (var org in seen.NewDomains)
        {
            var h = first[org];
            string sink = h.KnownSink is { } vendor ? $" (known {vendor} sink: legitimate only if someone set it up)" : "";
            string text = $"{package} {version} sent a hidden copy to {h.Address.Address} in {org}{sink}; its earlier versions " +
                          $"{oldList} sent {oldMessages} message(s) since {SenderIdentity.Time(earlier.Min(v => v.FirstSeenNs))} " +
                          $"with no hidden recipient in {org}. A package that starts copying mail after a version change is the postmark-mcp pattern.";
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, h.Address, HiddenRecipients.RoleOf(message, h), h.Address.Domain)
            {
                Baseline = new AlertBaseline
                {
                    Subject = org,
                    FirstSeenNs = earlier.Min(v => v.FirstSeenNs),
                    Sender = package,
                    NewVersion = version,
                    OldVersions = earlier.Select(v => v.Version).ToList(),
                    OldVersionMessages = oldMessages,
                    KnownSink = h.KnownSink,
                },
            });
        }
    }
}
