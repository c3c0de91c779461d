using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>
/// The session must give the same transactions however the two byte streams are cut and interleaved
/// (every split point, byte by byte, one whole direction before the other, random chunking).
/// </summary>
public class SmtpSplitTests
{
    private const FlowDirection C = FlowDirection.ClientToServer;
    private const FlowDirection S = FlowDirection.ServerToClient;

    private static string Outcome(SmtpHarness h)
    {
        var s = h.Session;
        return SmtpHarness.Describe(h.Transactions)
               + $"banner={s.BannerHost} helo={s.Helo} caps={string.Join(",", s.Capabilities)} auth={s.AuthMechanism} unknown={s.UnknownCommandCount}\n"
               + string.Join(",", h.Anomalies.Snapshot().Select(kv => $"{kv.Key.Name}={kv.Value}"));
    }

    private static string Reference(SmtpTranscript t)
    {
        var h = new SmtpHarness();
        foreach (var (dir, bytes) in t.Steps) h.Feed(dir, bytes, 0);
        h.Session.OnClose(0);
        return Outcome(h);
    }

    private static string RunChunks(IEnumerable<(FlowDirection Dir, byte[] Bytes, int Start, int Length)> chunks)
    {
        var h = new SmtpHarness();
        foreach (var (dir, bytes, start, length) in chunks) h.Feed(dir, bytes.AsSpan(start, length), 0);
        h.Session.OnClose(0);
        return Outcome(h);
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Reference_has_transactions(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        Assert.Contains("#", Reference(t));
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Every_split_point_of_every_step_gives_the_same_result(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        string expected = Reference(t);
        for (int step = 0; step < t.Steps.Count; step++)
        {
            var (dir, bytes) = t.Steps[step];
            for (int cut = 1; cut < bytes.Length; cut++)
            {
                var chunks = new List<(FlowDirection, byte[], int, int)>();
                for (int i = 0; i < t.Steps.Count; i++)
                {
                    var (d, b) = t.Steps[i];
                    if (i != step) chunks.Add((d, b, 0, b.Length));
                    else
                    {
                        chunks.Add((d, b, 0, cut));
                        chunks.Add((d, b, cut, b.Length - cut));
                    }
                }
                Assert.True(expected == RunChunks(chunks), $"step {step} ({dir}) cut {cut}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Streams_cut_at_every_point_and_fed_alternately_give_the_same_result(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        string expected = Reference(t);
        byte[] client = t.ClientStream, server = t.ServerStream;
        for (int p = 0; p <= client.Length; p++)
        {
            int q = (int)((long)p * server.Length / Math.Max(1, client.Length));
            var clientFirst = new[] { (C, client, 0, p), (S, server, 0, q), (C, client, p, client.Length - p), (S, server, q, server.Length - q) };
            Assert.True(expected == RunChunks(clientFirst), $"client-first split {p}/{q}");
            var serverFirst = new[] { (S, server, 0, q), (C, client, 0, p), (S, server, q, server.Length - q), (C, client, p, client.Length - p) };
            Assert.True(expected == RunChunks(serverFirst), $"server-first split {p}/{q}");
        }
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Whole_client_then_whole_server_and_reverse_give_the_same_result(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        string expected = Reference(t);
        byte[] client = t.ClientStream, server = t.ServerStream;
        Assert.Equal(expected, RunChunks([(C, client, 0, client.Length), (S, server, 0, server.Length)]));
        Assert.Equal(expected, RunChunks([(S, server, 0, server.Length), (C, client, 0, client.Length)]));
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Byte_by_byte_in_wire_order_gives_the_same_result(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        string expected = Reference(t);
        var chunks = t.Steps.SelectMany(s => Enumerable.Range(0, s.Bytes.Length).Select(i => (s.Dir, s.Bytes, i, 1)));
        Assert.Equal(expected, RunChunks(chunks));
    }

    [Theory]
    [MemberData(nameof(SmtpTranscripts.Plain), MemberType = typeof(SmtpTranscripts))]
    public void Random_chunking_and_interleaving_gives_the_same_result(string name)
    {
        var t = SmtpTranscripts.ByName(name);
        string expected = Reference(t);
        byte[] client = t.ClientStream, server = t.ServerStream;
        var rng = new Random(name.Length * 7919);
        for (int iter = 0; iter < 200; iter++)
        {
            var chunks = new List<(FlowDirection, byte[], int, int)>();
            int pc = 0, ps = 0;
            while (pc < client.Length || ps < server.Length)
            {
                bool takeClient = ps >= server.Length || (pc < client.Length && rng.Next(2) == 0);
                if (takeClient)
                {
                    int n = Math.Min(client.Length - pc, 1 + rng.Next(40));
                    chunks.Add((C, client, pc, n));
                    pc += n;
                }
                else
                {
                    int n = Math.Min(server.Length - ps, 1 + rng.Next(40));
                    chunks.Add((S, server, ps, n));
                    ps += n;
                }
            }
            Assert.True(expected == RunChunks(chunks), $"iteration {iter}");
        }
    }

    /// <summary>Banner, EHLO, STARTTLS, then TLS records both ways: the TLS bytes handed over must be exact.</summary>
    [Fact]
    public void Starttls_hands_over_exactly_the_tls_bytes_at_every_split()
    {
        byte[] clientTls = [0x16, 0x03, 0x01, 0x00, 0x04, 1, 2, 3, 4, 0x17, 0x03, 0x03, 0x00, 0x01, 9];
        byte[] serverTls = [0x16, 0x03, 0x03, 0x00, 0x02, 5, 6, 0x14, 0x03, 0x03];
        var t = new SmtpTranscript()
            .S("220 mx ESMTP\r\n")
            .C("EHLO c\r\n")
            .S("250-mx\r\n250-STARTTLS\r\n250 PIPELINING\r\n")
            .C("STARTTLS\r\n")
            .S("220 2.0.0 Ready\r\n")
            .C(clientTls[..5]).S(serverTls[..7]).C(clientTls[5..]).S(serverTls[7..]);
        byte[] client = t.ClientStream, server = t.ServerStream;

        void Check(IEnumerable<(FlowDirection Dir, int Start, int Length)> chunks, string what)
        {
            var h = new SmtpHarness();
            var s = h.Session;
            var tls = new Dictionary<FlowDirection, List<byte>> { [C] = [], [S] = [] };
            foreach (var (dir, start, length) in chunks)
            {
                var data = (dir == C ? client : server).AsSpan(start, length);
                // The whole caller contract: forward every piece of every handoff.
                foreach (var part in s.OnData(dir, data, 0))
                {
                    Assert.True(s.IsTls(part.Direction));
                    tls[part.Direction].AddRange(part.Bytes.ToArray());
                }
            }
            Assert.True(clientTls.SequenceEqual(tls[C]), $"{what}: client TLS bytes");
            Assert.True(serverTls.SequenceEqual(tls[S]), $"{what}: server TLS bytes");
            Assert.Equal(["STARTTLS", "PIPELINING"], s.Capabilities);
            Assert.Equal(0, h.Anomalies.Total);
        }

        for (int p = 0; p <= client.Length; p++)
        for (int q = 0; q <= server.Length; q += 3)
        {
            Check([(C, 0, p), (S, 0, q), (C, p, client.Length - p), (S, q, server.Length - q)], $"C{p} S{q}");
            Check([(S, 0, q), (C, 0, p), (S, q, server.Length - q), (C, p, client.Length - p)], $"S{q} C{p}");
        }
        // Wire order, byte by byte.
        var wire = new List<(FlowDirection, int, int)>();
        int oc = 0, os = 0;
        foreach (var (dir, bytes) in t.Steps)
            for (int i = 0; i < bytes.Length; i++) wire.Add(dir == C ? (C, oc++, 1) : (S, os++, 1));
        Check(wire, "byte by byte");
    }

    [Fact]
    public void Client_stream_first_with_long_tls_tail_switches_at_the_exact_byte()
    {
        byte[] tls = new byte[200_000];
        new Random(1).NextBytes(tls);
        byte[] client = [.. "EHLO c\r\nSTARTTLS\r\n"u8, .. tls];
        byte[] server = [.. "220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n"u8, 0x16, 0x03, 0x03];
        var h = new SmtpHarness();
        var s = h.Session;
        var first = h.Client(client);
        Assert.Equal(tls, first.Client);                 // from byte 18 on: "EHLO c\r\nSTARTTLS\r\n" is 18 bytes
        Assert.Empty(first.Server);
        Assert.True(s.IsTls(C));
        var second = h.Server(server);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03 }, second.Server);
        Assert.Empty(second.Client);
        Assert.True(s.IsTls(S));
        Assert.Equal(["STARTTLS"], s.Capabilities);
        Assert.Equal(1, h.Anomaly("held_bytes_overflow"));
    }

    [Fact]
    public void Held_bytes_limit_falls_back_to_data_accepted()
    {
        // Client fed first with more content than may be held: DATA is assumed accepted.
        var options = new SmtpOptions { MaxHeldBytes = 64 };
        string body = string.Concat(Enumerable.Repeat("0123456789abcdef\r\n", 20));
        var t = new SmtpTranscript()
            .S("220 mx\r\n")
            .C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n")
            .S("250 ok\r\n250 ok\r\n354 go\r\n")
            .C("Subject: big\r\n\r\n" + body + ".\r\n")
            .S("250 ok\r\n");
        var h = new SmtpHarness(options);
        h.Feed(C, t.ClientStream, 0);
        h.Feed(S, t.ServerStream, 0);
        h.Session.OnClose(0);
        var tx = Assert.Single(h.Transactions);
        Assert.Equal(250, tx.DataReplyCode);
        Assert.Equal("Subject: big\r\n", System.Text.Encoding.ASCII.GetString(tx.HeaderBlock));
        Assert.Equal(1, h.Anomaly("held_bytes_overflow"));
    }
}
