using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Imf;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Turns one HTTP request to a transactional-mail API (mail-apis.md) into <see cref="Mail.MailMessage"/>s.
/// The provider is found by host (TLS SNI first, then :authority/Host); the endpoint by method and path; the body is
/// read as JSON, urlencoded or multipart form, or raw RFC 822. Never throws for any input: bad bodies give
/// <see cref="MailApiResult.Unknown"/> and anomalies (stage <c>mail_api</c>). Stateless and thread-safe.
/// </summary>
public sealed class MailApiExtractor(MailApiOptions options, IAnomalySink anomalies, ImfOptions? imfOptions = null)
{
    private readonly ImfOptions _imf = imfOptions ?? ImfOptions.Default;

    /// <summary>
    /// Null when the host is not a known mail-API host. Otherwise the provider, endpoint, whether it sends mail now,
    /// the messages read (with <paramref name="context"/>'s flow endpoints and id copied in) and why reading failed.
    /// </summary>
    public MailApiResult? Extract(HttpRequestRecord request, string? tlsServerName, MailApiRequestContext? context = null)
    {
        // SNI names the server the client meant; a fronted or proxied request may still carry the API host in Host.
        string? host = null;
        MailApiProvider? provider = null;
        foreach (var candidate in (ReadOnlySpan<string?>)[tlsServerName, request.Authority, request.GetHeader("host")])
        {
            var h = MailApiHosts.Normalize(candidate);
            if (h is null) continue;
            var p = MailApiHosts.Find(h);
            if (p is null) continue;
            host = h;
            provider = p;
            break;
        }
        if (host is null || provider is null) return null;

        using var call = new MailApiCall(request, host, tlsServerName, context, options, _imf, anomalies, provider.Id);
        // A host other services share (www.googleapis.com): only the provider's own paths are ours.
        if (provider.OwnsPath is { } owns && !owns(host, call.Segments)) return null;
        try
        {
            provider.Extract(call);
            if (call.Result.IsSendCall && call.Result.Messages.Count == 0 && call.Result.Unknown is null)
                call.Fail(MailApiUnknownReason.UnknownSendShape);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug here must not stop the monitor; the messages read so far are kept.
            call.Result.Unknown ??= MailApiUnknownReason.ExtractorError;
            anomalies.Report(AnomalyStage.MailApi, MailApiUnknownReason.ExtractorError);
        }
        return call.Result;
    }
}
