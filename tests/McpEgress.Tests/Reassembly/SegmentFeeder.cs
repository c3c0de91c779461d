using System.Net;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Reassembly;

/// <summary>Builds TcpSegment values and feeds them to a reassembler under test.</summary>
internal sealed class SegmentFeeder
{
    public static readonly Endpoint Client = Ep("10.0.0.1", 40000);
    public static readonly Endpoint Server = Ep("10.0.0.2", 25);

    public const TcpFlags Syn = TcpFlags.Syn;
    public const TcpFlags SynAck = TcpFlags.Syn | TcpFlags.Ack;
    public const TcpFlags Ack = TcpFlags.Ack;
    public const TcpFlags PshAck = TcpFlags.Psh | TcpFlags.Ack;
    public const TcpFlags FinAck = TcpFlags.Fin | TcpFlags.Ack;
    public const TcpFlags Rst = TcpFlags.Rst;

    public const long Ms = 1_000_000;

    public SegmentFeeder(ReassemblyOptions? options = null)
    {
        Reassembler = new TcpReassembler(options ?? new ReassemblyOptions(), Handler, Anomalies);
    }

    public RecordingStreamHandler Handler { get; } = new();
    public AnomalyCounters Anomalies { get; } = new();
    public TcpReassembler Reassembler { get; }
    public long Now { get; set; } = 1_000 * Ms;

    public static Endpoint Ep(string ip, ushort port) => new(IpAddress16.FromIPAddress(IPAddress.Parse(ip)), port);

    public long Anomaly(string name) => Anomalies.Get(AnomalyStage.Reassembly, name);

    /// <summary>Feeds one segment; time moves 1 ms per segment.</summary>
    public void Send(Endpoint src, Endpoint dst, uint seq, uint ack, TcpFlags flags, byte[]? payload = null)
    {
        Now += Ms;
        var segment = new TcpSegment(src, dst, seq, ack, flags, 65535, Now, payload ?? []);
        Reassembler.Process(in segment);
    }

    public void Send(Endpoint src, Endpoint dst, uint seq, uint ack, TcpFlags flags, string payload) =>
        Send(src, dst, seq, ack, flags, System.Text.Encoding.ASCII.GetBytes(payload));

    /// <summary>SYN, SYN+ACK, ACK between Client and Server. Client data starts at cIsn+1, server data at sIsn+1.</summary>
    public void Handshake(uint cIsn, uint sIsn) => Handshake(Client, Server, cIsn, sIsn);

    public void Handshake(Endpoint client, Endpoint server, uint cIsn, uint sIsn)
    {
        Send(client, server, cIsn, 0, Syn);
        Send(server, client, sIsn, cIsn + 1, SynAck);
        Send(client, server, cIsn + 1, sIsn + 1, Ack);
    }
}
