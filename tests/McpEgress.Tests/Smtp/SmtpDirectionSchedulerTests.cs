using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>
/// The scheduler on its own, driving a toy conversation instead of SMTP: a client line "WAIT" needs the server's next
/// line; a server line needs a WAIT to answer (else it waits, as a reply waits for its command); "TLS" from the
/// server answers a WAIT and makes both directions TLS (as 220 to STARTTLS). Whatever the interleaving, the log of
/// what the conversation parsed must be the same, and the bytes after the switch must come back exactly.
/// </summary>
public class SmtpDirectionSchedulerTests
{
    private const FlowDirection C = FlowDirection.ClientToServer;
    private const FlowDirection S = FlowDirection.ServerToClient;

    private sealed class Toy : ISmtpConversation
    {
        public List<string> Log { get; } = [];
        private readonly StringBuilder _client = new(), _server = new();
        private int _waits;

        public bool ClientIsTls { get; private set; }
        public bool ServerIsTls { get; private set; }
        public bool ClientBlocked => _waits > 0;
        public bool ClientAwaitsReply => _waits > 0;

        public int ParseClient(ReadOnlySpan<byte> data, long ts)
        {
            int pos = 0;
            while (pos < data.Length && !ClientBlocked && !ClientIsTls)
            {
                byte b = data[pos++];
                if (b != '\n') { _client.Append((char)b); continue; }
                string line = _client.ToString();
                _client.Clear();
                Log.Add("C:" + line);
                if (line == "WAIT") _waits++;
            }
            return pos;
        }

        public int ParseServer(ReadOnlySpan<byte> data, long ts, bool force)
        {
            int pos = 0;
            while (pos < data.Length && !ServerIsTls)
            {
                if (_server.Length == 0 && _waits == 0 && !force) break;
                byte b = data[pos++];
                if (b != '\n') { _server.Append((char)b); continue; }
                string line = _server.ToString();
                _server.Clear();
                Log.Add((_waits > 0 ? "S:" : "S!:") + line);
                if (_waits > 0) _waits--;
                if (line == "TLS") ServerIsTls = ClientIsTls = true;
            }
            return pos;
        }

        public void AssumeUsualReply()
        {
            if (_waits == 0) return;
            _waits--;
            Log.Add("assume");
        }

        public void OnClientGap(long missingBytes) => Log.Add("gap C");
        public void OnServerGap() => Log.Add("gap S");
        public void OnClose(long ts) => Log.Add("close");
    }

    private sealed record Run(string Log, byte[] ClientTls, byte[] ServerTls, long Overflows);

    private static Run Feed(IEnumerable<(FlowDirection Dir, byte[] Bytes, int Start, int Length)> chunks, int maxHeld = 1024)
    {
        var toy = new Toy();
        var anomalies = new AnomalyCounters();
        var scheduler = new SmtpDirectionScheduler(toy, maxHeld, anomalies);
        List<byte> client = [], server = [];
        foreach (var (dir, bytes, start, length) in chunks)
            foreach (var part in scheduler.Feed(dir, bytes.AsSpan(start, length), 0))
                (part.Direction == C ? client : server).AddRange(part.Bytes.ToArray());
        scheduler.OnClose(0);
        return new Run(string.Join(" ", toy.Log), [.. client], [.. server], anomalies.Get(AnomalyStage.Smtp, "held_bytes_overflow"));
    }

    /// <summary>Both streams cut at every point pair and fed in both orders, then byte by byte alternately.</summary>
    private static IEnumerable<(string What, Run Run)> EveryInterleaving(byte[] client, byte[] server)
    {
        for (int p = 0; p <= client.Length; p++)
        for (int q = 0; q <= server.Length; q++)
        {
            yield return ($"C{p} S{q}", Feed([(C, client, 0, p), (S, server, 0, q), (C, client, p, client.Length - p), (S, server, q, server.Length - q)]));
            yield return ($"S{q} C{p}", Feed([(S, server, 0, q), (C, client, 0, p), (S, server, q, server.Length - q), (C, client, p, client.Length - p)]));
        }
        var alternate = new List<(FlowDirection, byte[], int, int)>();
        for (int i = 0; i < Math.Max(client.Length, server.Length); i++)
        {
            if (i < server.Length) alternate.Add((S, server, i, 1));
            if (i < client.Length) alternate.Add((C, client, i, 1));
        }
        yield return ("byte by byte", Feed(alternate));
    }

    [Fact]
    public void Server_lines_pair_with_the_client_waits_in_any_interleaving()
    {
        byte[] client = "a\nWAIT\nb\nWAIT\nc\n"u8.ToArray(), server = "x\ny\n"u8.ToArray();
        foreach (var (what, run) in EveryInterleaving(client, server))
        {
            Assert.True(run.Log == "C:a C:WAIT S:x C:b C:WAIT S:y C:c close", $"{what}: {run.Log}");
            Assert.Empty(run.ClientTls);
            Assert.Equal(0, run.Overflows);
        }
    }

    [Fact]
    public void Tls_switch_hands_back_exactly_the_bytes_after_it_in_any_interleaving()
    {
        //                               after WAIT: TLS        after the TLS line: TLS
        byte[] client = [.. "a\nWAIT\n"u8, 0x16, 0x01, 0x0a, 0x02], server = [.. "TLS\n"u8, 0x16, 0x0a, 0x03];
        foreach (var (what, run) in EveryInterleaving(client, server))
        {
            Assert.True(run.Log == "C:a C:WAIT S:TLS close", $"{what}: {run.Log}");
            Assert.True(run.ClientTls.SequenceEqual(new byte[] { 0x16, 0x01, 0x0a, 0x02 }), $"{what}: client {Convert.ToHexString(run.ClientTls)}");
            Assert.True(run.ServerTls.SequenceEqual(new byte[] { 0x16, 0x0a, 0x03 }), $"{what}: server {Convert.ToHexString(run.ServerTls)}");
        }
    }

    [Fact]
    public void A_client_hold_that_would_overflow_assumes_the_reply()
    {
        byte[] client = "WAIT\nabcdefgh\n"u8.ToArray(), server = "x\n"u8.ToArray();
        var run = Feed([(C, client, 0, client.Length), (S, server, 0, server.Length)], maxHeld: 4);
        // The reply came after the wait was given up: it answers nothing and is parsed at close.
        Assert.Equal("C:WAIT assume C:abcdefgh S!:x close", run.Log);
        Assert.Equal(1, run.Overflows);
    }

    [Fact]
    public void A_server_hold_that_would_overflow_is_parsed_without_its_commands()
    {
        byte[] server = "x\ny\n"u8.ToArray(), client = "WAIT\n"u8.ToArray();
        var run = Feed([(S, server, 0, 2), (S, server, 2, 2), (C, client, 0, client.Length)], maxHeld: 3);
        // "x" was held; "y" would overflow the hold: "x" is parsed as a reply to nothing, "y" waits and answers WAIT.
        Assert.Equal("S!:x C:WAIT S:y close", run.Log);
        Assert.Equal(1, run.Overflows);
    }

    [Fact]
    public void A_gap_parses_the_bytes_before_the_hole_first()
    {
        var toy = new Toy();
        var scheduler = new SmtpDirectionScheduler(toy, 1024, new AnomalyCounters());
        Assert.True(scheduler.Feed(C, "WAIT\nb\n"u8, 0).IsEmpty);
        Assert.Equal(2, scheduler.HeldBytes(C));
        scheduler.OnGap(C, 10);
        Assert.Equal(0, scheduler.HeldBytes(C));
        scheduler.OnGap(S, 10);
        Assert.Equal("C:WAIT assume C:b gap C gap S", string.Join(" ", toy.Log));
    }
}
