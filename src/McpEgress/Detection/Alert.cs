using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// One finding of one rule about one message. A rule that matches several addresses of a message raises one alert
/// listing them (<see cref="Matches"/>, capped, with <see cref="MatchCount"/>), never one alert per address: a call with
/// 1,000 Bcc addresses is one alert, not 1,000 events each repeating the message.
/// </summary>
public sealed class Alert
{
    public Alert(string ruleId, string ruleName, Severity severity, string message, MailMessage mail,
        MailAddress address, RecipientRole role, string domain)
    {
        RuleId = ruleId;
        RuleName = ruleName;
        Severity = severity;
        Message = message;
        Mail = mail;
        Address = address;
        Role = role;
        Domain = domain;
    }

    public string RuleId { get; }
    public string RuleName { get; }
    public Severity Severity { get; }
    /// <summary>A human sentence naming the address and its domain.</summary>
    public string Message { get; }
    /// <summary>The message the alert is about.</summary>
    public MailMessage Mail { get; }
    /// <summary>The offending address.</summary>
    public MailAddress Address { get; }
    public RecipientRole Role { get; }
    /// <summary>The offending address's domain, lower case, as written (Unicode IDNs stay Unicode).</summary>
    public string Domain { get; }

    /// <summary>The addresses matched, in the order found, at most <see cref="DetectionEngine.MaxMatchesPerAlert"/>; the first is <see cref="Address"/>.</summary>
    public IReadOnlyList<AlertMatch> Matches
    {
        // A one-address alert (the common case) builds its list only when read.
        get => _matches ?? (Role == RecipientRole.None ? [] : [new AlertMatch(Address, Role, Domain, Message)]);
        init => _matches = value;
    }

    private readonly IReadOnlyList<AlertMatch>? _matches;

    /// <summary>How many addresses matched, including those beyond the <see cref="Matches"/> cap (1 for a one-address alert, 0 for a message alert).</summary>
    public int MatchCount
    {
        get => _matchCount ?? (Role == RecipientRole.None ? 0 : 1);
        init => _matchCount = value;
    }

    private readonly int? _matchCount;

    /// <summary>The baseline the alert broke (baseline rules only); null for rules that need no memory.</summary>
    public AlertBaseline? Baseline { get; init; }

    /// <summary>
    /// Raised after its message's event was written: its rule waited for the sending process, which was found only
    /// later (or never). The alert carries the message's fields (time, flow, message id), now with the process.
    /// </summary>
    public bool Deferred { get; internal set; }

    public override string ToString() => $"[{Severity}] {RuleId}: {Message}";
}
