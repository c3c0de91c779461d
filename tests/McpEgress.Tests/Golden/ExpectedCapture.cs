using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpEgress.Tests.Golden;

/// <summary>
/// A capture's <c>X.expected.json</c>: what the sending script told its client to send (never our own output),
/// as written by captures/make-captures.sh.
/// </summary>
internal sealed class ExpectedCapture
{
    [JsonPropertyName("capture")] public string Capture { get; set; } = "";
    [JsonPropertyName("client")] public string? Client { get; set; }
    [JsonPropertyName("messages")] public List<ExpectedMessage> Messages { get; set; } = [];
    [JsonPropertyName("secrets_absent")] public List<string> SecretsAbsent { get; set; } = [];

    public static ExpectedCapture Load(string path) =>
        JsonSerializer.Deserialize<ExpectedCapture>(File.ReadAllText(path))
        ?? throw new InvalidDataException(path + ": empty");
}

internal sealed class ExpectedMessage
{
    [JsonPropertyName("mail_from")] public string? MailFrom { get; set; }
    [JsonPropertyName("rcpt_to")] public List<ExpectedRcpt> RcptTo { get; set; } = [];
    [JsonPropertyName("to")] public List<string> To { get; set; } = [];
    [JsonPropertyName("cc")] public List<string> Cc { get; set; } = [];
    [JsonPropertyName("bcc_header")] public List<string> BccHeader { get; set; } = [];
    [JsonPropertyName("hidden")] public List<string> Hidden { get; set; } = [];
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("expect_alerts")] public List<ExpectedAlert> ExpectAlerts { get; set; } = [];
}

internal sealed class ExpectedRcpt
{
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("accepted")] public bool Accepted { get; set; }
}

internal sealed class ExpectedAlert
{
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
}
