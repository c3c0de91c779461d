using System.Text.Json;

namespace McpEgress.Tests.Golden;

/// <summary>
/// A capture's <c>X.expected.json</c>: what the sending script told its client to send (never our own output),
/// written by the scripts in captures/. Address lists hold strings or <c>{address, name}</c> objects.
/// </summary>
internal sealed class ExpectedCapture
{
    public string Capture { get; private init; } = "";
    public string? KeyLog { get; private init; }
    public List<ExpectedMessage> Messages { get; } = [];
    public List<string> SecretsAbsent { get; } = [];
    public List<string> DeniedDomains { get; } = [];

    /// <summary>
    /// The rules whose alerts the file lists (<c>"rules"</c>; default the three stateless ones). Alerts of other rules
    /// are not compared: baseline rules depend on what came before, and a file lists them only when it says so.
    /// </summary>
    public HashSet<string> Rules { get; } = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> DefaultRules { get; } = ["denied-domain", "hidden-foreign-domain", "limit-exceeded"];

    /// <summary>Hidden addresses at known CRM-logging sinks and the vendor each must be marked with (<c>"known_sinks"</c>); any other hidden recipient is marked with none.</summary>
    public Dictionary<string, string> KnownSinks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The proxy tunnel every message of the capture travelled in ("type", "target_host", "target_port").</summary>
    public (string Type, string Host, int Port)? Tunnel { get; private init; }

    public static ExpectedCapture Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var e = new ExpectedCapture
        {
            Capture = root.GetProperty("capture").GetString()!,
            KeyLog = Str(root, "keylog") ?? Str(root, "keys"),
            Tunnel = root.TryGetProperty("tunnel", out var t)
                ? (t.GetProperty("type").GetString()!, t.GetProperty("target_host").GetString()!, t.GetProperty("target_port").GetInt32())
                : null,
        };
        foreach (var m in Arr(root, "messages")) e.Messages.Add(ExpectedMessage.Parse(m));
        foreach (var s in Arr(root, "secrets_absent")) e.SecretsAbsent.Add(s.GetString()!);
        foreach (var s in Arr(root, "denied_domains")) e.DeniedDomains.Add(s.GetString()!);
        foreach (var s in Arr(root, "rules")) e.Rules.Add(s.GetString()!);
        if (e.Rules.Count == 0) e.Rules.UnionWith(DefaultRules);
        if (root.TryGetProperty("known_sinks", out var sinks))
            foreach (var s in sinks.EnumerateObject()) e.KnownSinks[s.Name] = s.Value.GetString()!;
        return e;
    }

    internal static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static IEnumerable<JsonElement> Arr(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().ToList() : [];
}

internal sealed record ExpectedAddress(string Address, string? Name, bool HasName);

internal sealed class ExpectedMessage
{
    public string? MailFrom { get; private init; }
    public string? Provider { get; private init; }
    public string? Subject { get; private init; }
    public List<(string Address, bool Accepted)> RcptTo { get; } = [];
    public List<ExpectedAddress> From { get; } = [];
    public List<ExpectedAddress> To { get; } = [];
    public List<ExpectedAddress> Cc { get; } = [];
    public List<ExpectedAddress> Bcc { get; } = [];
    public List<ExpectedAddress> Hidden { get; } = [];
    public List<(string Rule, string Address)> Alerts { get; } = [];
    public bool HasRcptTo { get; private init; }

    public static ExpectedMessage Parse(JsonElement m)
    {
        var e = new ExpectedMessage
        {
            MailFrom = ExpectedCapture.Str(m, "mail_from"),
            Provider = ExpectedCapture.Str(m, "provider"),
            Subject = ExpectedCapture.Str(m, "subject"),
            HasRcptTo = m.TryGetProperty("rcpt_to", out _),
        };
        foreach (var r in ExpectedCapture.Arr(m, "rcpt_to"))
            e.RcptTo.Add((r.GetProperty("address").GetString()!, !r.TryGetProperty("accepted", out var a) || a.GetBoolean()));
        Addresses(m, "from", e.From);
        Addresses(m, "to", e.To);
        Addresses(m, "cc", e.Cc);
        // API files carry "bcc" (and an identical "bcc_header"); SMTP files carry only "bcc_header".
        Addresses(m, m.TryGetProperty("bcc_header", out _) ? "bcc_header" : "bcc", e.Bcc);
        Addresses(m, "hidden", e.Hidden);
        foreach (var a in ExpectedCapture.Arr(m, "expect_alerts"))
            e.Alerts.Add((a.GetProperty("rule").GetString()!, a.GetProperty("address").GetString()!));
        return e;
    }

    private static void Addresses(JsonElement m, string name, List<ExpectedAddress> into)
    {
        if (m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
        {
            into.Add(new ExpectedAddress(v.GetString()!, null, false));
            return;
        }
        foreach (var x in ExpectedCapture.Arr(m, name))
        {
            if (x.ValueKind == JsonValueKind.String) into.Add(new ExpectedAddress(x.GetString()!, null, false));
            else
            {
                bool hasName = x.TryGetProperty("name", out var n);
                into.Add(new ExpectedAddress(x.GetProperty("address").GetString()!,
                    hasName && n.ValueKind == JsonValueKind.String ? n.GetString() : null, hasName));
            }
        }
    }
}
