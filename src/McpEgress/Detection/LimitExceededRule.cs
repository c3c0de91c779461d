using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags a message that a limit cut (<see cref="MailMessage.Truncations"/>: recipients, transactions, address length,
/// header bytes): limits exist so that hostile input can't exhaust the monitor, and hostile input is exactly what may
/// push a recipient past one. The cut recipients' domains are still judged by the other rules; this alert says the
/// message was not seen whole, and which limits cut it. One alert per message.
/// </summary>
public sealed class LimitExceededRule : IRule
{
    public const string RuleId = "limit-exceeded";
    public const string RuleName = "A limit cut part of a message";
    public const Severity DefaultSeverity = Severity.High;

    public LimitExceededRule(Severity severity = DefaultSeverity) => Severity = severity;

    public string Id => RuleId;
    public string Name => RuleName;
    public Severity Severity { get; }

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        if (message.Truncations.Count == 0) return;
        string limits = string.Join("; ", message.Truncations.Select(t => $"{t.Limit} cut {t.ItemsCut} ({t.What})"));
        alerts.Add(new Alert(RuleId, RuleName, Severity, $"Part of this message was not kept: {limits}.", message,
            new MailAddress(""), RecipientRole.None, ""));
    }
}
