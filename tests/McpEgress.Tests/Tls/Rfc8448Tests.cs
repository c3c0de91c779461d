using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;
using static McpEgress.Tests.Tls.TlsTestUtil;

namespace McpEgress.Tests.Tls;

/// <summary>RFC 8448 §3 "Simple 1-RTT Handshake": secrets and wire bytes from the RFC.</summary>
public class Rfc8448Tests
{
    internal const string ClientRandom = "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7";

    internal static string KeyLog =>
        $"CLIENT_HANDSHAKE_TRAFFIC_SECRET {ClientRandom} b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21\n" +
        $"SERVER_HANDSHAKE_TRAFFIC_SECRET {ClientRandom} b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38\n" +
        $"CLIENT_TRAFFIC_SECRET_0 {ClientRandom} 9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5\n" +
        $"SERVER_TRAFFIC_SECRET_0 {ClientRandom} a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643\n";

    // Record header 16 03 01 00 c4, then ClientHello (type 1, length 0xc0): SNI "server", suites 1301 1303 1302.
    internal static readonly byte[] ClientHelloRecord = Hex(@"16 03 01 00 c4
01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00
26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69
1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01");

    // Record header 16 03 03 00 5a, then ServerHello: suite 1301, key_share x25519, supported_versions 0304.
    internal static readonly byte[] ServerHelloRecord = Hex(@"16 03 03 00 5a
02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1
56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04");

    // Protected record (679 octets): EncryptedExtensions, Certificate, CertificateVerify, Finished.
    internal static readonly byte[] ServerFlightRecord = Hex(@"
17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e
df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78
b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b
d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57 a6 b9
d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e
d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92
8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94
5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68
45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f
44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26
f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31
7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e
1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da
8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4
61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be
5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb
99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb 56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59
77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38
eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84
5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5
d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e
75 0e dc 53 37 0d 2b");

    // Client Finished under the client handshake key (seq 0).
    internal static readonly byte[] ClientFinishedRecord = Hex(@"
17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc 44
d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46");

    // Client application_data 00 01 .. 31 under the client application key (seq 0).
    internal static readonly byte[] ClientAppDataRecord = Hex(@"
17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b
98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee
bb 21 69 49 15 e4");

    // Server application_data 00 01 .. 31 at seq 1 (seq 0 was its NewSessionTicket).
    internal static readonly byte[] ServerAppDataRecord = Hex(@"
17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3
0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0
32 e1 67 c2 95 5d");

    internal static byte[] Payload => Enumerable.Range(0, 0x32).Select(i => (byte)i).ToArray();

    [Fact]
    public void WholeSession_DecryptsClientApplicationData()
    {
        var keys = new TlsKeyLog();
        Assert.Equal(4, keys.AddText(KeyLog));
        var handler = new RecordingHandler();
        var anomalies = new AnomalyCounters();
        var session = new TlsSession(new TlsOptions(), keys, handler, anomalies);

        session.OnData(FlowDirection.ClientToServer, ClientHelloRecord);
        session.OnData(FlowDirection.ServerToClient, ServerHelloRecord);
        session.OnData(FlowDirection.ServerToClient, ServerFlightRecord);
        session.OnData(FlowDirection.ClientToServer, ClientFinishedRecord);
        session.OnData(FlowDirection.ClientToServer, ClientAppDataRecord);

        Assert.Equal(Payload, handler.Client);
        Assert.Empty(handler.Server);
        Assert.Empty(handler.Failures);
        Assert.Equal(0, anomalies.Total);
        Assert.Equal(1, handler.HandshakeCompleteCalls);
        var info = session.Info;
        Assert.Equal("server", info.ServerName);
        Assert.Equal((ushort)0x0304, info.Version);
        Assert.Equal("TLS 1.3", info.VersionName);
        Assert.Equal((ushort)0x1301, info.CipherSuite);
        Assert.Equal("TLS_AES_128_GCM_SHA256", info.CipherSuiteName);
        Assert.Equal(Hex(ClientRandom), info.ClientRandom);
        Assert.True(info.Decrypted);
        Assert.True(info.HandshakeComplete);
        Assert.False(info.Resumed);
        Assert.False(info.HelloRetryRequest);
        Assert.Equal(3, info.Records(FlowDirection.ClientToServer));
        Assert.Equal(2, info.Records(FlowDirection.ServerToClient));
        Assert.Equal(ClientHelloRecord.Length + ClientFinishedRecord.Length + ClientAppDataRecord.Length,
            info.Bytes(FlowDirection.ClientToServer));
    }

    [Fact]
    public void Close_LeavesNoPlaintextInThePool()
    {
        // The plaintext buffers go back to the shared ArrayPool cleared (only their written part is cleared now):
        // the arrays this thread rents next, the ones just returned, hold no decrypted byte.
        var keys = new TlsKeyLog();
        keys.AddText(KeyLog);
        var handler = new RecordingHandler();
        var options = new TlsOptions();
        var session = new TlsSession(options, keys, handler, new AnomalyCounters());
        session.OnData(FlowDirection.ClientToServer, ClientHelloRecord);
        session.OnData(FlowDirection.ServerToClient, ServerHelloRecord);
        session.OnData(FlowDirection.ServerToClient, ServerFlightRecord);
        session.OnData(FlowDirection.ClientToServer, ClientFinishedRecord);
        session.OnData(FlowDirection.ClientToServer, ClientAppDataRecord);
        Assert.Equal(Payload, handler.Client);
        session.OnClose();

        var rented = Enumerable.Range(0, 4).Select(_ => System.Buffers.ArrayPool<byte>.Shared.Rent(options.MaxRecordBytes)).ToList();
        try
        {
            Assert.All(rented, array => Assert.True(array.AsSpan().IndexOf(Payload.AsSpan(1)) < 0, "decrypted bytes left in a pooled array"));
        }
        finally
        {
            rented.ForEach(array => System.Buffers.ArrayPool<byte>.Shared.Return(array));
        }
    }

    [Fact]
    public void ServerApplicationData_AtSequenceOne()
    {
        var suite = TlsCipherSuite.Find(0x1301)!;
        using var protection = new Tls13RecordProtection(suite,
            Hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")) { SequenceNumber = 1 };
        var plaintext = new byte[256];
        Assert.True(protection.TryDecrypt(ServerAppDataRecord.AsSpan(0, 5), ServerAppDataRecord.AsSpan(5), plaintext, out int length, out byte type));
        Assert.Equal(23, type);
        Assert.Equal(Payload, plaintext[..length]);
        Assert.Equal(2UL, protection.SequenceNumber);
    }

    [Fact]
    public void ServerFlight_WrongSequence_FailsAndDoesNotAdvance()
    {
        var suite = TlsCipherSuite.Find(0x1301)!;
        using var protection = new Tls13RecordProtection(suite,
            Hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")) { SequenceNumber = 1 };
        var plaintext = new byte[1024];
        Assert.False(protection.TryDecrypt(ServerFlightRecord.AsSpan(0, 5), ServerFlightRecord.AsSpan(5), plaintext, out _, out _));
        Assert.Equal(1UL, protection.SequenceNumber);
        protection.SequenceNumber = 0;
        Assert.True(protection.TryDecrypt(ServerFlightRecord.AsSpan(0, 5), ServerFlightRecord.AsSpan(5), plaintext, out int length, out byte type));
        Assert.Equal(22, type);
        Assert.Equal(657, length);
        Assert.Equal(0x08, plaintext[0]); // EncryptedExtensions first
    }

    [Fact]
    public void EverySplitPoint_SameResult()
    {
        // The whole conversation cut into two pieces at every byte of each direction's stream.
        var client = ClientHelloRecord.Concat(ClientFinishedRecord).Concat(ClientAppDataRecord).ToArray();
        var server = ServerHelloRecord.Concat(ServerFlightRecord).ToArray();
        var keys = new TlsKeyLog();
        keys.AddText(KeyLog);
        for (int cut = 0; cut <= Math.Max(client.Length, server.Length); cut++)
        {
            var handler = new RecordingHandler();
            var anomalies = new AnomalyCounters();
            var session = new TlsSession(new TlsOptions(), keys, handler, anomalies);
            int c = Math.Min(cut, client.Length), s = Math.Min(cut, server.Length);
            // Client bytes first (its later records wait for the ServerHello), then the server, then the rest.
            session.OnData(FlowDirection.ClientToServer, client.AsSpan(0, c));
            session.OnData(FlowDirection.ServerToClient, server.AsSpan(0, s));
            session.OnData(FlowDirection.ServerToClient, server.AsSpan(s));
            session.OnData(FlowDirection.ClientToServer, client.AsSpan(c));
            Assert.True(Payload.AsSpan().SequenceEqual(handler.Client), $"cut {cut}");
            Assert.Equal(0, anomalies.Total);
        }
    }
}
