using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>
/// The STARTTLS hand-off: every TLS byte comes back exactly once, in order, through the value each call returns;
/// a caller that forwards every handoff has nothing else to get right.
/// </summary>
public class StartTlsHandoffTests
{
    private const FlowDirection C = FlowDirection.ClientToServer;
    private const FlowDirection S = FlowDirection.ServerToClient;

    /// <summary>The pieces in enumeration order, as "C:160301" / "S:160303".</summary>
    private static List<string> Parts(StartTlsHandoff handoff)
    {
        var parts = new List<string>();
        foreach (var part in handoff) parts.Add($"{(part.Direction == C ? "C" : "S")}:{Convert.ToHexString(part.Bytes)}");
        return parts;
    }

    [Fact]
    public void Enumeration_gives_the_direction_not_fed_first_and_skips_empty_pieces()
    {
        byte[] client = [0x16, 0x03, 0x01], server = [0x16, 0x03, 0x03];
        Assert.Equal(["S:160303", "C:160301"], Parts(new StartTlsHandoff(C, client, server)));
        Assert.Equal(["C:160301", "S:160303"], Parts(new StartTlsHandoff(S, client, server)));
        Assert.Equal(["C:160301"], Parts(new StartTlsHandoff(S, client, default)));
        Assert.Equal(["S:160303"], Parts(new StartTlsHandoff(S, default, server)));
        Assert.Empty(Parts(default));
        Assert.True(default(StartTlsHandoff).IsEmpty);
        Assert.False(new StartTlsHandoff(C, default, server).IsEmpty);
        Assert.True(new StartTlsHandoff(C, client, server)[S].SequenceEqual(server));
    }

    [Fact]
    public void Plaintext_calls_hand_back_nothing()
    {
        var h = new SmtpHarness();
        Assert.True(h.Server("220 mx ESMTP\r\n").IsEmpty);
        Assert.True(h.Client("EHLO c\r\n").IsEmpty);
        Assert.True(h.Server("250-mx\r\n250 STARTTLS\r\n").IsEmpty);
        Assert.True(h.Client("STARTTLS\r\n").IsEmpty);
        Assert.True(h.Server("454 4.7.0 not now\r\n").IsEmpty);     // refused: still plaintext
        Assert.True(h.Client("QUIT\r\n").IsEmpty);
        Assert.False(h.Session.StartedTls);
    }

    [Fact]
    public void Server_tls_bytes_in_the_reply_segment_come_back_at_the_byte_after_the_220_line()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n"); h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n"); h.Client("STARTTLS\r\n");
        //                 "220 go\r\n"  | ServerHello record header
        var handed = h.Server([.. "220 go\r\n"u8, 0x16, 0x03, 0x03, 0x00, 0x31]);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x31 }, handed.Server);
        Assert.Empty(handed.Client);
        Assert.True(h.Session.IsTls(C) && h.Session.IsTls(S));
        // From now on each call hands its bytes straight back, in both directions.
        Assert.Equal(new byte[] { 0x16, 0x03, 0x01 }, h.Client([0x16, 0x03, 0x01]).Client);
        Assert.Equal(new byte[] { 0x14 }, h.Server([0x14]).Server);
        Assert.True(h.Client([]).IsEmpty);
    }

    [Fact]
    public void Bytes_held_before_the_switch_come_back_once_with_the_call_that_switched()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n"); h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n");
        //                 client hello sent before the 220 was seen: held
        Assert.True(h.Client([.. "STARTTLS\r\n"u8, 0x16, 0x03, 0x01, 0x02, 0x00]).IsEmpty);
        var handed = h.Server([.. "220 go\r\n"u8, 0x16, 0x03, 0x03]);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }, handed.Client);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03 }, handed.Server);
        Assert.Equal([C, S], handed.Order);                        // the client's bytes were taken earlier
        Assert.Equal(new byte[] { 0x01 }, h.Client([0x01]).Client); // not handed again
    }

    [Fact]
    public void Overflow_at_starttls_joins_the_held_bytes_and_the_call_in_order()
    {
        var h = new SmtpHarness(new SmtpOptions { MaxHeldBytes = 16 });
        h.Server("220 mx\r\n"); h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n");
        byte[] first = [0x16, 0x03, 0x01, 0x00, 0x20];
        byte[] second = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        Assert.True(h.Client([.. "STARTTLS\r\n"u8, .. first]).IsEmpty); // 5 bytes held
        var handed = h.Client(second);                                   // 25 > 16: STARTTLS assumed accepted
        Assert.Equal([.. first, .. second], handed.Client);
        Assert.Equal(1, h.Anomaly("held_bytes_overflow"));
        Assert.True(h.Session.IsTls(C));
        Assert.False(h.Session.IsTls(S));
        // The server's 220 still answers the STARTTLS; its TLS bytes follow.
        var reply = h.Server([.. "220 go\r\n"u8, 0x16, 0x03, 0x03]);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03 }, reply.Server);
        Assert.Empty(reply.Client);
    }

    [Fact]
    public void A_gap_that_forces_starttls_leaves_the_held_bytes_for_the_next_call()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n"); h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n");
        Assert.True(h.Client([.. "STARTTLS\r\n"u8, 0x16, 0x03, 0x01]).IsEmpty);
        h.Session.OnGap(C, 100);                                    // bytes before the hole: STARTTLS assumed accepted
        Assert.True(h.Session.IsTls(C));
        Assert.Equal(new byte[] { 0x16, 0x03, 0x01, 0x17 }, h.Client([0x17]).Client);
    }

    [Fact]
    public void After_close_nothing_is_taken_or_handed_back()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n"); h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n"); h.Client("STARTTLS\r\n");
        h.Session.OnClose(9);
        Assert.True(h.Server([.. "220 go\r\n"u8, 0x16]).IsEmpty);
        Assert.False(h.Session.StartedTls);
    }
}
