using System.Collections;
using System.Reflection;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Tests.MailApis;

/// <summary>Records anomaly names (any stage) for assertions.</summary>
internal sealed class MailApiAnomalySink : IAnomalySink
{
    public List<string> Names { get; } = new();
    public void Report(string stage, string name)
    {
        Assert.True(AnomalyCatalog.Contains(stage, name), $"{stage}/{name} is not catalogued");
        Names.Add(stage + "/" + name);
    }

    public bool Has(string name)
    {
        Assert.True(AnomalyCatalog.Contains(AnomalyStage.MailApi, name), $"mail_api/{name} is not catalogued");
        return Names.Contains(AnomalyStage.MailApi + "/" + name);
    }
}

internal static class Api
{
    public static HttpRequestRecord Request(string host, string method, string target, string? contentType, byte[] body,
        params (string Name, string Value)[] headers)
    {
        var list = new List<KeyValuePair<string, string>> { new("Host", host) };
        if (contentType is not null) list.Add(new("Content-Type", contentType));
        // The real header values, credentials included: the extractor must not copy them anywhere (the HTTP layer redacts
        // too, but a test that redacted first could not see the extractor leak).
        foreach (var (n, v) in headers) list.Add(new(n, v));
        return new HttpRequestRecord
        {
            Version = "HTTP/1.1",
            Method = method,
            Target = target,
            Authority = host,
            Headers = list,
            ContentType = contentType,
            Body = body,
            ResponseStatus = 200,
            StartTimestampNs = 1_700_000_000_000_000_000,
        };
    }

    public static HttpRequestRecord Json(string host, string target, string json, params (string, string)[] headers) =>
        Request(host, "POST", target, "application/json", Encoding.UTF8.GetBytes(json), headers);

    public static HttpRequestRecord Form(string host, string target, string form) =>
        Request(host, "POST", target, "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(form));

    public static MailApiResult Run(HttpRequestRecord r, MailApiAnomalySink? anomalies = null, MailApiOptions? options = null,
        string? sni = null)
    {
        var x = new MailApiExtractor(options ?? MailApiOptions.Default, anomalies ?? new MailApiAnomalySink());
        var result = x.Extract(r, sni);
        Assert.NotNull(result);
        return result!;
    }

    /// <summary>Addresses joined with ",", in order.</summary>
    public static string A(IEnumerable<MailAddress> list) => string.Join(",", list.Select(a => a.Address));

    public static string Hidden(MailMessage m) => string.Join(",", m.Hidden.Select(h => h.Address.Address));

    public static string HiddenReasons(MailMessage m) =>
        string.Join(",", m.Hidden.Select(h => h.Address.Address + ":" + (h.Reason == HiddenReason.BccField ? "bcc" : "env")));

    public static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    /// <summary>base64url without padding, as googleapis sends Gmail `raw`.</summary>
    public static string B64Url(string s) => B64(s).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Every string reachable from a message: properties, address parts, facts (records print their members).</summary>
    public static IEnumerable<string> Strings(MailMessage m)
    {
        foreach (var p in typeof(MailMessage).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var v = p.GetValue(m);
            foreach (var s in Flatten(v)) yield return s;
        }
    }

    private static IEnumerable<string> Flatten(object? v)
    {
        switch (v)
        {
            case null: yield break;
            case string s: yield return s; yield break;
            case MailAddress a:
                yield return a.Address;
                if (a.DisplayName is not null) yield return a.DisplayName;
                yield break;
            case HiddenRecipient h:
                foreach (var s in Flatten(h.Address)) yield return s;
                yield break;
            case IEnumerable e when v is not IDictionary:
                foreach (var x in e)
                    foreach (var s in Flatten(x)) yield return s;
                yield break;
            default:
                yield return v.ToString() ?? "";
                yield break;
        }
    }
}
