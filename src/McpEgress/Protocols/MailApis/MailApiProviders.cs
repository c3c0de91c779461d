namespace McpEgress.Protocols.MailApis;

/// <summary>
/// The registry of mail APIs (<see cref="All"/>, one <see cref="MailApiProvider"/> each, hosts from mail-apis.md §1) and
/// their ids, used in <see cref="MailApiResult.Provider"/> and <see cref="Mail.MailMessage.Provider"/>.
/// </summary>
public static class MailApiProviders
{
    public const string Postmark = "postmark";
    public const string SendGrid = "sendgrid";
    public const string Mailgun = "mailgun";
    public const string Ses = "ses";
    public const string Resend = "resend";
    public const string Mailjet = "mailjet";
    public const string Brevo = "brevo";
    public const string Mandrill = "mandrill";
    public const string SparkPost = "sparkpost";
    public const string MailerSend = "mailersend";
    public const string Graph = "graph";
    public const string Gmail = "gmail";

    /// <summary>Every provider, in the order the metrics list them.</summary>
    internal static IReadOnlyList<MailApiProvider> All { get; } =
    [
        new() { Id = Postmark, Hosts = ["api.postmarkapp.com"], Extract = PostmarkPayload.Extract },
        new() { Id = SendGrid, Hosts = ["api.sendgrid.com", "api.eu.sendgrid.com", "email.twilio.com"], Extract = SendGridPayload.Extract },
        // Storage hosts: storage-us-east4.api.mailgun.net...
        new() { Id = Mailgun, Hosts = ["api.mailgun.net", "api.eu.mailgun.net"], HostSuffixes = [".api.mailgun.net"], Extract = MailgunPayload.Extract },
        new() { Id = Ses, HostRule = MailApiHosts.IsSesHost, Extract = SesPayload.Extract },
        new() { Id = Resend, Hosts = ["api.resend.com"], Extract = ResendPayload.Extract },
        new() { Id = Mailjet, Hosts = ["api.mailjet.com", "api.us.mailjet.com", "api.eu.mailjet.com"], Extract = MailjetPayload.Extract },
        new() { Id = Brevo, Hosts = ["api.brevo.com", "api.sendinblue.com"], Extract = BrevoPayload.Extract },
        new() { Id = Mandrill, Hosts = ["mandrillapp.com", "www.mandrillapp.com"], Extract = MandrillPayload.Extract },
        // SparkPost Enterprise: {tenant}.api.e.sparkpost.com.
        new() { Id = SparkPost, Hosts = ["api.sparkpost.com", "api.eu.sparkpost.com"], HostSuffixes = [".api.e.sparkpost.com"], Extract = SparkPostPayload.Extract },
        new() { Id = MailerSend, Hosts = ["api.mailersend.com"], Extract = MailerSendPayload.Extract },
        new()
        {
            Id = Graph, Extract = GraphPayload.Extract,
            Hosts = ["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn", "graph.microsoft.de", "canary.graph.microsoft.com"],
        },
        new()
        {
            // www.googleapis.com serves every Google API: only /gmail/, /upload/gmail/ and /batch/gmail/ paths are Gmail's.
            Id = Gmail, Hosts = ["gmail.googleapis.com", "www.googleapis.com"], Extract = GmailPayload.Extract,
            OwnsPath = (host, s) => host != "www.googleapis.com" || (s.Length > 0 && (MailApiCall.SegIs(s[0], "gmail")
                || (s.Length > 1 && (MailApiCall.SegIs(s[0], "upload") || MailApiCall.SegIs(s[0], "batch")) && MailApiCall.SegIs(s[1], "gmail")))),
        },
    ];

    /// <summary>The ids of <see cref="All"/>, in order (the metrics' provider label values).</summary>
    public static IReadOnlyList<string> Ids { get; } = All.Select(p => p.Id).ToArray();
}
