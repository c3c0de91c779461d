using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;
using static McpEgress.Tests.Tls.TlsTestUtil;
using R = McpEgress.Tests.Tls.Rfc8448Tests;

namespace McpEgress.Tests.Tls;

/// <summary>Session state machine on hand-built inputs around the RFC 8448 records.</summary>
public class TlsSessionTests
{
    private static readonly byte[] ChangeCipherSpecRecord = Hex("14 03 03 00 01 01"); // TLS 1.3 compatibility CCS

    private static (TlsSession, RecordingHandler, AnomalyCounters) NewSession(TlsKeyLog? keys = null)
    {
        if (keys is null) { keys = new TlsKeyLog(); keys.AddText(R.KeyLog); }
        var handler = new RecordingHandler();
        var anomalies = new AnomalyCounters();
        return (new TlsSession(new TlsOptions(), keys, handler, anomalies), handler, anomalies);
    }

    [Fact]
    public void HelloRetryRequest_ThenSecondHello_Decrypts()
    {
        // A HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
        var hrr = (byte[])R.ServerHelloRecord.Clone();
        Hex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C").CopyTo(hrr, 11);
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, R.ClientHelloRecord);
        session.OnData(FlowDirection.ServerToClient, hrr);
        session.OnData(FlowDirection.ClientToServer, [.. ChangeCipherSpecRecord, .. R.ClientHelloRecord]);
        session.OnData(FlowDirection.ServerToClient, [.. R.ServerHelloRecord, .. ChangeCipherSpecRecord, .. R.ServerFlightRecord]);
        session.OnData(FlowDirection.ClientToServer, [.. R.ClientFinishedRecord, .. R.ClientAppDataRecord]);
        Assert.True(session.Info.HelloRetryRequest);
        Assert.Equal(R.Payload, handler.Client);
        Assert.Equal(0, anomalies.Total);
    }

    [Fact]
    public void ClientRecordsBeforeServerHello_WaitForIt()
    {
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, [.. R.ClientHelloRecord, .. ChangeCipherSpecRecord, .. R.ClientFinishedRecord, .. R.ClientAppDataRecord]);
        Assert.Empty(handler.Client);
        session.OnData(FlowDirection.ServerToClient, [.. R.ServerHelloRecord, .. R.ServerFlightRecord]);
        Assert.Equal(R.Payload, handler.Client);
        Assert.Equal(0, anomalies.Total);
    }

    [Fact]
    public void TamperedRecord_AuthFails_NothingEmitted_DirectionStops()
    {
        var tampered = (byte[])R.ClientAppDataRecord.Clone();
        tampered[20] ^= 0x80;
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, R.ClientHelloRecord);
        session.OnData(FlowDirection.ServerToClient, [.. R.ServerHelloRecord, .. R.ServerFlightRecord]);
        session.OnData(FlowDirection.ClientToServer, [.. R.ClientFinishedRecord, .. tampered, .. R.ClientAppDataRecord]);
        Assert.Empty(handler.Client);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.RecordAuthFailed));
        Assert.Equal([(FlowDirection.ClientToServer, "record authentication failed (wrong key or corrupted record)")], handler.Failures);
    }

    [Fact]
    public void UnsupportedCipherSuite_Opaque()
    {
        var sh = (byte[])R.ServerHelloRecord.Clone();
        sh[5 + 4 + 2 + 32 + 1] = 0x13; sh[5 + 4 + 2 + 32 + 2] = 0x99; // cipher_suite 0x1399
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, R.ClientHelloRecord);
        session.OnData(FlowDirection.ServerToClient, [.. sh, .. R.ServerFlightRecord]);
        session.OnData(FlowDirection.ClientToServer, R.ClientAppDataRecord);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.UnsupportedCipherSuite));
        Assert.Equal(2, handler.Failures.Count);
        Assert.Equal("0x1399", session.Info.CipherSuiteName);
        Assert.Equal(2, session.Info.Records(FlowDirection.ServerToClient)); // still counted while opaque
        Assert.Equal(2, session.Info.Records(FlowDirection.ClientToServer));
        Assert.Empty(handler.Client);
    }

    [Fact]
    public void NoClientHello_MidStreamPickup_Opaque()
    {
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, R.ClientAppDataRecord);
        session.OnData(FlowDirection.ServerToClient, R.ServerAppDataRecord);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, TlsAnomalies.MissingClientHello));
        Assert.Empty(handler.Client);
        Assert.False(session.Info.Decrypted);
    }

    [Theory]
    [InlineData("474554202f20485454502f312e310d0a", "bad_record_header")] // plain HTTP
    [InlineData("1703035000", "record_too_large")]
    public void BadFraming_CountedAndUnframed(string hex, string anomaly)
    {
        var (session, handler, anomalies) = NewSession();
        session.OnData(FlowDirection.ClientToServer, R.ClientHelloRecord);
        session.OnData(FlowDirection.ClientToServer, Hex(hex));
        session.OnData(FlowDirection.ClientToServer, R.ClientAppDataRecord); // ignored: framing is lost
        Assert.Equal(1, anomalies.Get(AnomalyStage.Tls, anomaly));
        Assert.Single(handler.Failures);
        Assert.Equal(1, session.Info.Records(FlowDirection.ClientToServer)); // only the hello was a record
        Assert.Equal(R.ClientHelloRecord.Length + hex.Length / 2 + R.ClientAppDataRecord.Length, session.Info.Bytes(FlowDirection.ClientToServer));
        Assert.Empty(handler.Client);
    }

    [Fact]
    public void RandomGarbage_NeverThrows()
    {
        var rng = new Random(42);
        for (int trial = 0; trial < 2000; trial++)
        {
            var (session, _, _) = NewSession();
            if (trial % 2 == 0) session.OnData(FlowDirection.ClientToServer, R.ClientHelloRecord);
            for (int i = 0; i < 6; i++)
            {
                var data = new byte[rng.Next(0, 300)];
                rng.NextBytes(data);
                // Often make it look like a record so deeper states are reached.
                if (data.Length >= 5 && rng.Next(2) == 0)
                {
                    data[0] = (byte)rng.Next(20, 25); data[1] = 3; data[2] = (byte)rng.Next(0, 5);
                    data[3] = 0; data[4] = (byte)Math.Min(255, data.Length - 5);
                }
                var dir = rng.Next(2) == 0 ? FlowDirection.ClientToServer : FlowDirection.ServerToClient;
                if (rng.Next(10) == 0) session.OnGap(dir, rng.Next(1, 100));
                else session.OnData(dir, data);
            }
            session.TryDecryptPending();
            session.OnClose();
        }
    }

    [Fact]
    public void GarbageHandshakeBodies_NeverThrow()
    {
        // Valid record framing around random handshake messages (hellos with random contents and lengths).
        var rng = new Random(99);
        for (int trial = 0; trial < 3000; trial++)
        {
            var (session, _, _) = NewSession();
            foreach (var dir in new[] { FlowDirection.ClientToServer, FlowDirection.ServerToClient })
            {
                var body = new byte[rng.Next(4, 200)];
                rng.NextBytes(body);
                body[0] = dir == FlowDirection.ClientToServer ? (byte)1 : (byte)2;
                body[1] = 0; body[2] = 0; body[3] = (byte)Math.Min(body.Length - 4, rng.Next(0, 256));
                session.OnData(dir, [22, 3, 3, 0, (byte)body.Length, .. body]);
            }
            session.OnData(FlowDirection.ClientToServer, R.ClientAppDataRecord);
            session.OnData(FlowDirection.ServerToClient, R.ServerFlightRecord);
            session.OnClose();
        }
    }
}
