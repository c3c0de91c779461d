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

    /// <summary>Feeds client text; returns the TLS bytes handed back (both empty while plaintext).</summary>
    public Handed Client(string text, long ts = 0) => Handed.From(Session.OnClientData(Encoding.UTF8.GetBytes(text), ts));
    public Handed Server(string text, long ts = 0) => Handed.From(Session.OnServerData(Encoding.UTF8.GetBytes(text), ts));
    public Handed Client(byte[] bytes, long ts = 0) => Handed.From(Session.OnClientData(bytes, ts));
    public Handed Server(byte[] bytes, long ts = 0) => Handed.From(Session.OnServerData(bytes, ts));

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

/// <summary>A copy of a <see cref="StartTlsHandoff"/>, with its pieces in the order the enumerator gave them.</summary>
internal sealed record Handed(byte[] Client, byte[] Server, FlowDirection[] Order)
{
    public static Handed From(StartTlsHandoff handoff)
    {
        var order = new List<FlowDirection>();
        foreach (var part in handoff)
        {
            Assert.False(part.Bytes.IsEmpty);
            Assert.True(part.Bytes.SequenceEqual(handoff[part.Direction]));
            order.Add(part.Direction);
        }
        return new Handed(handoff.Client.ToArray(), handoff.Server.ToArray(), [.. order]);
    }

    public bool IsEmpty => Client.Length == 0 && Server.Length == 0;

    public byte[] this[FlowDirection direction] => direction == FlowDirection.ClientToServer ? Client : Server;
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
