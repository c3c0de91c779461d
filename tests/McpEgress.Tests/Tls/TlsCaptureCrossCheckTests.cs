using McpEgress.Diagnostics;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tls;

/// <summary>
/// Decrypts every keyed capture under captures/ and compares each TLS flow's plaintext byte for byte with
/// tshark's own decryption (-z follow,tls,raw). New keyed captures are picked up automatically.
/// </summary>
public class TlsCaptureCrossCheckTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var c in TlsCaptures.KeyedCaptures()) data.Add(c);
        return data;
    }

    [Fact]
    public void CaptureSetIsPresent()
    {
        var names = TlsCaptures.KeyedCaptures().Select(Path.GetFileName).ToHashSet();
        foreach (var expected in new[]
        {
            "tls13-aes128gcm.pcap", "tls13-aes256gcm.pcap", "tls13-chacha20.pcap", "tls13-keyupdate.pcap", "tls13-resumed.pcap",
            "tls13-chacha20-dsb.pcapng", "tls13-early-data.pcap", "tls12-ecdhe-rsa-aes128gcm.pcap", "tls12-ecdhe-rsa-aes256gcm.pcap",
            "tls12-ecdhe-rsa-chacha20.pcap", "tls12-ecdhe-rsa-aes128-sha.pcap", "tls12-ecdhe-rsa-aes128-sha-etm.pcap",
            "tls12-ecdhe-rsa-aes256-sha384.pcap", "tls12-rsa-aes128-sha256.pcap", "tls12-resumed.pcap",
        })
            Assert.Contains(expected, names);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void PlaintextMatchesTshark(string relativePath)
    {
        var capture = Path.Combine(TsharkFlows.RepoRoot(), relativePath);
        var flows = TlsCaptures.TlsFlows(capture);
        if (relativePath.StartsWith(Path.Combine("captures", "tls") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            Assert.NotEmpty(flows);
        var tsharkCannot = TlsCaptures.TsharkCannotDecrypt(capture);

        foreach (var flow in flows)
        {
            var keys = TlsCaptures.LoadKeys(capture);
            var handler = new RecordingHandler();
            var anomalies = new AnomalyCounters();
            var session = new TlsSession(new TlsOptions(), keys, handler, anomalies);
            foreach (var chunk in flow.Chunks) session.OnData(chunk.Direction, chunk.Data);
            session.OnClose();
            if (tsharkCannot is not null)
            {
                AssertDecryptedWithoutOracle(handler, anomalies.Total, session.Info);
                continue;
            }

            var expected = TsharkFlows.FollowTls(capture, flow.Stream, TlsCaptures.KeyFile(capture));
            var expectedClient = TsharkFlows.Concat(expected, FlowDirection.ClientToServer);
            var expectedServer = TsharkFlows.Concat(expected, FlowDirection.ServerToClient);
            Assert.NotEmpty(expectedClient); // tshark could decrypt: the keys match the capture
            Assert.True(expectedClient.AsSpan().SequenceEqual(handler.Client),
                $"{relativePath} stream {flow.Stream}: client plaintext {handler.Client.Length} bytes, tshark {expectedClient.Length}");
            Assert.True(expectedServer.AsSpan().SequenceEqual(handler.Server),
                $"{relativePath} stream {flow.Stream}: server plaintext {handler.Server.Length} bytes, tshark {expectedServer.Length}");
            Assert.Empty(handler.Failures);
            Assert.Equal(0, anomalies.Total);
            Assert.True(session.Info.Decrypted);
            Assert.True(session.Info.HandshakeComplete);
            Assert.False(handler.PlaintextBeforeHandshakeComplete);
        }
    }

    /// <summary>
    /// A suite tshark cannot decrypt (ARIA in tshark 4.0): no byte oracle, but every record authenticated (AEAD tag
    /// or MAC), both directions carried SMTP, and the golden test checks the message itself.
    /// </summary>
    private static void AssertDecryptedWithoutOracle(RecordingHandler handler, long anomalies, TlsSessionInfo info)
    {
        Assert.Empty(handler.Failures);
        Assert.Equal(0, anomalies);
        Assert.True(info.Decrypted);
        Assert.True(info.HandshakeComplete);
        Assert.Contains("RCPT TO:<phan@giftshop.club>", System.Text.Encoding.ASCII.GetString(handler.Client), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("2", System.Text.Encoding.ASCII.GetString(handler.Server));
    }

    [Fact]
    public void LegacySuiteCapturesArePresent()
    {
        var names = TlsCaptures.KeyedCaptures().Select(Path.GetFileName).ToHashSet();
        foreach (var expected in new[]
        {
            "tls10-ecdhe-rsa-aes128-sha.pcap", "tls10-ecdhe-rsa-3des-sha-etm.pcap", "tls11-ecdhe-rsa-aes256-sha-etm.pcap",
            "tls11-rsa-camellia256-sha-etm.pcap", "tls11-rsa-rc4-md5.pcap", "tls12-ecdhe-rsa-aria128-gcm.pcap",
            "tls12-ecdhe-rsa-camellia128-gcm.pcap", "tls12-ecdhe-rsa-camellia128-sha256.pcap", "tls12-rsa-aria256-gcm-sha384.pcap",
            "tls12-rsa-null-sha256.pcap", "tls12-rsa-rc4-sha.pcap", "tls12-rsa-seed-sha.pcap",
        })
            Assert.Contains(expected, names);
        // Only the ARIA ones lack the tshark oracle.
        var withoutOracle = TlsCaptures.KeyedCaptures()
            .Where(c => TlsCaptures.TsharkCannotDecrypt(Path.Combine(TsharkFlows.RepoRoot(), c)) is not null)
            .Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(["tls12-ecdhe-rsa-aria128-gcm.pcap", "tls12-rsa-aria256-gcm-sha384.pcap"], withoutOracle);
    }

    private sealed class NoTransactions : ISmtpTransactionHandler
    {
        public void OnTransaction(SmtpTransaction transaction) { }
    }

    [Fact]
    public void StartTlsCapturesArePresent()
    {
        var names = TlsCaptures.KeyedCaptures().Select(Path.GetFileName).ToHashSet();
        Assert.Contains("nodemailer-starttls.pcap", names);
        Assert.Contains("nodemailer-starttls-dsb.pcapng", names);
        // ... and the STARTTLS theory below really finds their flows (it must not pass vacuously).
        foreach (var name in new[] { "nodemailer-starttls.pcap", "nodemailer-starttls-dsb.pcapng" })
            Assert.Single(TlsCaptures.StartTlsFlows(Path.Combine(TsharkFlows.RepoRoot(), "captures", "smtp", name)));
    }

    /// <summary>
    /// STARTTLS flows: the SMTP session decides where TLS starts (RFC 3207: after the 220 reply to STARTTLS), exactly
    /// as the protocol router hands over, and the plaintext must still equal tshark's byte for byte.
    /// </summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void StartTlsPlaintextMatchesTshark(string relativePath)
    {
        var capture = Path.Combine(TsharkFlows.RepoRoot(), relativePath);
        foreach (var flow in TlsCaptures.StartTlsFlows(capture))
        {
            var handler = new RecordingHandler();
            var anomalies = new AnomalyCounters();
            var smtp = new SmtpSession(SmtpOptions.Default, new NoTransactions(), anomalies);
            TlsSession? tls = null;
            foreach (var chunk in flow.Chunks)
            {
                var handoff = smtp.OnData(chunk.Direction, chunk.Data, 0);
                if (!smtp.StartedTls) continue;
                tls ??= new TlsSession(new TlsOptions(), TlsCaptures.LoadKeys(capture), handler, anomalies);
                foreach (var part in handoff) tls.OnData(part.Direction, part.Bytes);
            }
            Assert.NotNull(tls);
            tls!.OnClose();
            if (TlsCaptures.TsharkCannotDecrypt(capture) is not null)
            {
                AssertDecryptedWithoutOracle(handler, anomalies.Total, tls.Info);
                continue;
            }

            // The shipped SMTP captures use non-standard ports (found by content here); tshark must be told it is SMTP.
            var expected = TsharkFlows.FollowTls(capture, flow.Stream, TlsCaptures.KeyFile(capture), $"tcp.port=={TsharkFlows.ServerPort(capture, flow.Stream)},smtp");
            var expectedClient = TsharkFlows.Concat(expected, FlowDirection.ClientToServer);
            var expectedServer = TsharkFlows.Concat(expected, FlowDirection.ServerToClient);
            Assert.NotEmpty(expectedClient);
            Assert.True(expectedClient.AsSpan().SequenceEqual(handler.Client),
                $"{relativePath} stream {flow.Stream}: client plaintext {handler.Client.Length} bytes, tshark {expectedClient.Length}");
            Assert.True(expectedServer.AsSpan().SequenceEqual(handler.Server),
                $"{relativePath} stream {flow.Stream}: server plaintext {handler.Server.Length} bytes, tshark {expectedServer.Length}");
            Assert.Empty(handler.Failures);
            Assert.True(tls.Info.Decrypted);
            Assert.Contains("RCPT TO:", System.Text.Encoding.ASCII.GetString(handler.Client), StringComparison.OrdinalIgnoreCase);
        }
    }
}
