using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tls;

/// <summary>Session behaviour on the real captures in captures/tls (see its README for how they were made).</summary>
public class TlsSessionCaptureTests
{
    private static (TlsSession Session, RecordingHandler Handler, AnomalyCounters Anomalies) Run(
        TlsCaptures.Flow flow, TlsKeyLog keys, TlsOptions? options = null)
    {
        var handler = new RecordingHandler();
        var anomalies = new AnomalyCounters();
        var session = new TlsSession(options ?? new TlsOptions(), keys, handler, anomalies);
        foreach (var chunk in flow.Chunks) session.OnData(chunk.Direction, chunk.Data);
        return (session, handler, anomalies);
    }

    private static TlsCaptures.Flow Flow(string name, int index = 0) => TlsCaptures.TlsFlows(TlsCaptures.Tls(name))[index];

    private static TlsKeyLog Keys(string name) => TlsCaptures.LoadKeys(TlsCaptures.Tls(name));

    [Theory]
    [InlineData("tls13-aes128gcm.pcap", 0x0304, "TLS_AES_128_GCM_SHA256")]
    [InlineData("tls13-aes256gcm.pcap", 0x0304, "TLS_AES_256_GCM_SHA384")]
    [InlineData("tls13-chacha20.pcap", 0x0304, "TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData("tls12-ecdhe-rsa-aes128gcm.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("tls12-ecdhe-rsa-aes256gcm.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")]
    [InlineData("tls12-ecdhe-rsa-chacha20.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData("tls12-ecdhe-rsa-aes128-sha.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData("tls12-ecdhe-rsa-aes128-sha-etm.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData("tls12-ecdhe-rsa-aes256-sha384.pcap", 0x0303, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384")]
    [InlineData("tls12-rsa-aes128-sha256.pcap", 0x0303, "TLS_RSA_WITH_AES_128_CBC_SHA256")]
    public void PostmarkPost_DecryptsWithSessionInfo(string name, int version, string suite)
    {
        var (session, handler, anomalies) = Run(Flow(name), Keys(name));
        var request = Encoding.ASCII.GetString(handler.Client);
        Assert.StartsWith("POST /email HTTP/1.1\r\n", request);
        Assert.Contains("\"Bcc\":\"phan@giftshop.club\"", request);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", Encoding.ASCII.GetString(handler.Server));
        var info = session.Info;
        Assert.Equal(version, info.Version);
        Assert.Equal(suite, info.CipherSuiteName);
        Assert.Equal("api.postmarkapp.com", info.ServerName);
        Assert.Equal(["h2", "http/1.1"], info.AlpnOffered);
        Assert.Equal("http/1.1", info.AlpnSelected);
        Assert.Equal(name.EndsWith("-etm.pcap", StringComparison.Ordinal), info.EncryptThenMac);
        Assert.False(info.Resumed);
        Assert.True(info.AlertSeen); // close_notify
        Assert.Equal(0x0100, info.LastAlert);
        Assert.False(info.FatalAlertSeen);
        Assert.Equal(0, anomalies.Total);
        Assert.Equal(handler.Client.Length, info.PlaintextBytes(FlowDirection.ClientToServer));
    }

    [Theory]
    [InlineData("tls13-resumed.pcap")]
    [InlineData("tls12-resumed.pcap")]
    public void SecondConnection_IsResumed(string name)
    {
        var keys = Keys(name);
        var first = Run(Flow(name, 0), keys);
        var second = Run(Flow(name, 1), keys);
        Assert.False(first.Session.Info.Resumed);
        Assert.True(second.Session.Info.Resumed);
        Assert.Contains("Invoice 2", Encoding.ASCII.GetString(second.Handler.Client));
        Assert.Equal(0, second.Anomalies.Total);
    }

    [Fact]
    public void KeyUpdate_BothDirectionsMoveToNextGeneration()
    {
        var (session, handler, anomalies) = Run(Flow("tls13-keyupdate.pcap"), Keys("tls13-keyupdate.pcap"));
        // openssl s_client "K": client KeyUpdate(update_requested), the server answers with its own.
        Assert.Equal(2, session.Info.KeyUpdates);
        Assert.Equal("before key update\nafter key update\n", Encoding.ASCII.GetString(handler.Client));
        Assert.Equal("echo: before key update\necho: after key update\n", Encoding.ASCII.GetString(handler.Server));
        Assert.Equal(0, anomalies.Total);
    }

    [Theory]
    [InlineData("tls13-aes128gcm.pcap")]
    [InlineData("tls12-ecdhe-rsa-aes128gcm.pcap")]
    [InlineData("tls12-ecdhe-rsa-aes128-sha.pcap")]
    [InlineData("tls12-ecdhe-rsa-aes128-sha-etm.pcap")]
    public void WrongKey_NoPlaintext_AuthFailureReported(string name)
    {
        // Same client random, secrets with one flipped bit.
        var text = TlsCaptures.KeyText(TlsCaptures.Tls(name));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var parts = line.Split(' ');
            var secret = Convert.FromHexString(parts[2]);
            secret[0] ^= 1;
            return $"{parts[0]} {parts[1]} {Convert.ToHexString(secret)}";
        });
        var keys = new TlsKeyLog();
        keys.AddText(string.Join("\n", lines));
        var (session, handler, anomalies) = Run(Flow(name), keys);
        Assert.Empty(handler.Client);
        Assert.Empty(handler.Server);
        Assert.Equal(2, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.RecordAuthFailed));
        Assert.Equal(2, handler.Failures.Count);
        Assert.False(session.Info.Decrypted);
        Assert.Equal("api.postmarkapp.com", session.Info.ServerName); // hello data is still known
    }

    [Theory]
    [InlineData("tls13-aes256gcm.pcap")]
    [InlineData("tls12-ecdhe-rsa-aes256-sha384.pcap")]
    public void MissingKeys_ThenAdded_PendingIsDecrypted(string name)
    {
        var keys = new TlsKeyLog();
        var (session, handler, anomalies) = Run(Flow(name), keys);
        Assert.Empty(handler.Client);
        Assert.False(session.Info.Decrypted);
        Assert.False(session.TryDecryptPending()); // still nothing to decrypt with

        long version = keys.Version;
        keys.AddText(TlsCaptures.KeyText(TlsCaptures.Tls(name)));
        Assert.True(keys.Version > version);
        Assert.True(session.TryDecryptPending());

        var expected = Run(Flow(name), Keys(name)).Handler;
        Assert.Equal(expected.Client, handler.Client);
        Assert.Equal(expected.Server, handler.Server);
        Assert.NotEmpty(handler.Client);
        Assert.Empty(handler.Failures);
        Assert.Equal(0, anomalies.Total);
    }

    [Fact]
    public void KeysArrivingMidStream_AreUsedOnNextData()
    {
        const string name = "tls13-chacha20.pcap";
        var flow = Flow(name);
        var keys = new TlsKeyLog();
        var handler = new RecordingHandler();
        var session = new TlsSession(new TlsOptions(), keys, handler, new AnomalyCounters());
        int half = flow.Chunks.Count / 2;
        foreach (var chunk in flow.Chunks.Take(half)) session.OnData(chunk.Direction, chunk.Data);
        keys.AddText(TlsCaptures.KeyText(TlsCaptures.Tls(name))); // a live key log follower appends lines
        foreach (var chunk in flow.Chunks.Skip(half)) session.OnData(chunk.Direction, chunk.Data);
        Assert.Equal(Run(flow, Keys(name)).Handler.Client, handler.Client);
        Assert.NotEmpty(handler.Client);
    }

    [Fact]
    public void PendingLimit_DropsCiphertext()
    {
        const string name = "tls13-aes128gcm.pcap";
        var options = new TlsOptions { MaxPendingCiphertextBytes = 200 };
        var keys = new TlsKeyLog();
        var (session, handler, anomalies) = Run(Flow(name), keys, options);
        Assert.True(anomalies.Get(AnomalyStage.Tls, TlsAnomalies.PendingCiphertextLimit) >= 1);
        Assert.NotEmpty(handler.Failures);
        keys.AddText(TlsCaptures.KeyText(TlsCaptures.Tls(name)));
        session.TryDecryptPending(); // the dropped ciphertext is gone for good
        Assert.Empty(handler.Client);
    }

    [Theory]
    [InlineData("tls12-ecdhe-rsa-aes128gcm.pcap")]
    [InlineData("tls13-aes128gcm.pcap")]
    [InlineData("tls12-ecdhe-rsa-aes128-sha.pcap")]
    public void EverySplitPoint_IdenticalPlaintext(string name)
    {
        // Each direction's stream cut in two at every byte; directions interleaved as in the capture otherwise.
        var flow = Flow(name);
        var keys = Keys(name);
        var reference = Run(flow, keys).Handler;
        Assert.NotEmpty(reference.Client);
        var client = flow.Bytes(FlowDirection.ClientToServer);
        var server = flow.Bytes(FlowDirection.ServerToClient);
        for (int cut = 0; cut <= Math.Max(client.Length, server.Length); cut++)
        {
            var handler = new RecordingHandler();
            var anomalies = new AnomalyCounters();
            var session = new TlsSession(new TlsOptions(), keys, handler, anomalies);
            int c = Math.Min(cut, client.Length), s = Math.Min(cut, server.Length);
            session.OnData(FlowDirection.ClientToServer, client.AsSpan(0, c));
            session.OnData(FlowDirection.ServerToClient, server.AsSpan(0, s));
            session.OnData(FlowDirection.ClientToServer, client.AsSpan(c));
            session.OnData(FlowDirection.ServerToClient, server.AsSpan(s));
            if (!reference.Client.AsSpan().SequenceEqual(handler.Client) || !reference.Server.AsSpan().SequenceEqual(handler.Server))
                Assert.Fail($"cut {cut}: client {handler.Client.Length}/{reference.Client.Length}, server {handler.Server.Length}/{reference.Server.Length}");
            Assert.Equal(0, anomalies.Total);
        }
    }

    [Fact]
    public void ByteAtATime_IdenticalPlaintext()
    {
        const string name = "tls13-keyupdate.pcap";
        var flow = Flow(name);
        var keys = Keys(name);
        var reference = Run(flow, keys).Handler;
        var handler = new RecordingHandler();
        var session = new TlsSession(new TlsOptions(), keys, handler, new AnomalyCounters());
        foreach (var chunk in flow.Chunks)
            for (int i = 0; i < chunk.Data.Length; i++) session.OnData(chunk.Direction, chunk.Data.AsSpan(i, 1));
        Assert.Equal(reference.Client, handler.Client);
        Assert.Equal(reference.Server, handler.Server);
        Assert.Equal(2, session.Info.KeyUpdates);
    }

    [Fact]
    public void CorruptedBytes_NeverThrow_OnlyEmitAuthenticPrefix()
    {
        // Flip one byte at many positions: whatever is emitted must be a prefix of the true plaintext.
        foreach (var name in new[] { "tls13-aes128gcm.pcap", "tls12-ecdhe-rsa-aes128-sha.pcap" })
        {
            var flow = Flow(name);
            var keys = Keys(name);
            var reference = Run(flow, keys).Handler;
            var rng = new Random(1234);
            for (int trial = 0; trial < 300; trial++)
            {
                var chunks = flow.Chunks.Select(c => c with { Data = (byte[])c.Data.Clone() }).ToList();
                var victim = chunks[rng.Next(chunks.Count)];
                victim.Data[rng.Next(victim.Data.Length)] ^= (byte)(1 << rng.Next(8));
                var handler = new RecordingHandler();
                var session = new TlsSession(new TlsOptions(), keys, handler, new AnomalyCounters());
                foreach (var chunk in chunks) session.OnData(chunk.Direction, chunk.Data);
                session.OnClose();
                Assert.True(reference.Client.AsSpan().StartsWith(handler.Client), $"{name} trial {trial}");
                Assert.True(reference.Server.AsSpan().StartsWith(handler.Server), $"{name} trial {trial}");
            }
        }
    }

    [Fact]
    public void GapInServerStream_StopsThatDirectionOnly()
    {
        const string name = "tls12-ecdhe-rsa-aes128gcm.pcap";
        var flow = Flow(name);
        var handler = new RecordingHandler();
        var anomalies = new AnomalyCounters();
        var session = new TlsSession(new TlsOptions(), Keys(name), handler, anomalies);
        bool gapped = false;
        foreach (var chunk in flow.Chunks)
        {
            // Lose the server's last flight before its application data.
            if (chunk.Direction == FlowDirection.ServerToClient && chunk.Data[0] == 23 && !gapped)
            {
                session.OnGap(FlowDirection.ServerToClient, chunk.Data.Length);
                gapped = true;
                continue;
            }
            session.OnData(chunk.Direction, chunk.Data);
        }
        Assert.True(gapped);
        Assert.Contains("phan@giftshop.club", Encoding.ASCII.GetString(handler.Client));
        Assert.Empty(handler.Server);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.StreamGap));
        Assert.Single(handler.Failures, f => f.Direction == FlowDirection.ServerToClient);
    }

    [Fact]
    public void DsbPcapng_SecretsFromDecryptionSecretsBlock()
    {
        var capture = TlsCaptures.Tls("tls13-chacha20-dsb.pcapng");
        Assert.Null(TlsCaptures.KeyFile(capture));
        var blocks = PcapngSecrets.ReadTlsKeyLogs(capture);
        Assert.Single(blocks);
        var keys = new TlsKeyLog();
        Assert.Equal(5, keys.AddBytes(blocks[0])); // 4 traffic secrets + exporter
        var (_, handler, _) = Run(TlsCaptures.TlsFlows(capture)[0], keys);
        Assert.Contains("phan@giftshop.club", Encoding.ASCII.GetString(handler.Client));
    }

    [Fact]
    public void EarlyData_DecryptedWithEarlyTrafficSecret()
    {
        const string name = "tls13-early-data.pcap";
        var (session, handler, anomalies) = Run(Flow(name, 1), Keys(name));
        var info = session.Info;
        Assert.True(info.Resumed);
        Assert.True(info.EarlyDataOffered);
        Assert.True(info.EarlyDataAccepted);
        Assert.Equal("POST /email HTTP/1.1\r\nHost: api.postmarkapp.com\r\nContent-Length: 2\r\n\r\n{}",
            Encoding.ASCII.GetString(handler.Client));
        Assert.True(info.HandshakeComplete);
        Assert.Equal(0, anomalies.Total);
    }

    [Fact]
    public void EarlyData_WithoutEarlySecret_SkippedAndCounted()
    {
        const string name = "tls13-early-data.pcap";
        var keys = new TlsKeyLog();
        keys.AddText(string.Join("\n", TlsCaptures.KeyText(TlsCaptures.Tls(name)).Split('\n')
            .Where(l => !l.StartsWith("CLIENT_EARLY_TRAFFIC_SECRET", StringComparison.Ordinal))));
        var (session, handler, anomalies) = Run(Flow(name, 1), keys);
        // The 0-RTT request and EndOfEarlyData cannot be read; the client Finished after them still is.
        Assert.Empty(handler.Client);
        Assert.True(session.Info.HandshakeComplete);
        Assert.True(session.Info.Decrypted);
        Assert.True(anomalies.Get(AnomalyStage.Tls, TlsAnomalies.EarlyDataUndecryptable) >= 1);
        Assert.Empty(handler.Failures);
    }
}
