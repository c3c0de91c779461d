using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>A transcript of one connection as the wire saw it, and ways to feed it to an <see cref="SmtpSession"/>.</summary>
internal sealed class SmtpHarness : ISmtpTransactionHandler
{
    public List<SmtpTransaction> Transactions { get; } = [];
    public AnomalyCounters Anomalies { get; } = new();
    public SmtpSession Session { get; }

    public SmtpHarness(SmtpOptions? options = null, bool insideTls = false)
    {
        Session = new SmtpSession(options ?? SmtpOptions.Default, this, Anomalies) { InsideTls = insideTls };
    }

    public void OnTransaction(SmtpTransaction transaction) => Transactions.Add(transaction);

    public long Anomaly(string name) => Anomalies.Get(AnomalyStage.Smtp, name);

    public int Client(string text, long ts = 0) => Session.OnClientData(Encoding.UTF8.GetBytes(text), ts);
    public int Server(string text, long ts = 0) => Session.OnServerData(Encoding.UTF8.GetBytes(text), ts);

    /// <summary>Feeds the transcript in wire order, each step whole.</summary>
    public SmtpHarness Run(IEnumerable<(FlowDirection Dir, byte[] Bytes)> steps, bool close = true)
    {
        long ts = 1;
        foreach (var (dir, bytes) in steps) Feed(dir, bytes, ts++);
        if (close) Session.OnClose(ts);
        return this;
    }

    public void Feed(FlowDirection dir, ReadOnlySpan<byte> bytes, long ts)
    {
        if (dir == FlowDirection.ClientToServer) Session.OnClientData(bytes, ts);
        else Session.OnServerData(bytes, ts);
    }

    /// <summary>One line per transaction with every field, for comparing runs.</summary>
    public static string Describe(IEnumerable<SmtpTransaction> txs)
    {
        var sb = new StringBuilder();
        foreach (var t in txs)
        {
            sb.Append($"#{t.Index} helo={t.Helo} from={t.MailFrom}/{t.MailFromReplyCode} size={t.DeclaredSize} body={t.Body} utf8={t.SmtpUtf8} ");
            sb.Append("rcpt=[").Append(string.Join(",", t.Recipients.Select(r => $"{r.Address}/{r.ReplyCode}"))).Append($"] dropped={t.DroppedRecipients} ");
            sb.Append($"auth={t.AuthMechanism} cmd={t.DataCommand}/{t.DataReplyCode} bytes={t.MessageBytes} trunc={t.HeadersTruncated} tls={t.InsideTls} incomplete={t.Incomplete} ");
            sb.Append("hdr=").Append(Encoding.UTF8.GetString(t.HeaderBlock).Replace("\r", "\\r").Replace("\n", "\\n")).AppendLine();
        }
        return sb.ToString();
    }
}

internal static class SmtpHarnessExtensions
{
    /// <summary>Declares a gap first (the capture starts inside the stream), then feeds the text.</summary>
    public static void OnGapThen(this SmtpHarness h, McpEgress.Reassembly.FlowDirection dir, string text)
    {
        h.Session.OnGap(dir, 1);
        h.Feed(dir, System.Text.Encoding.UTF8.GetBytes(text), 0);
    }
}
