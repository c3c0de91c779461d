using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Benchmarks;

/// <summary>Per-packet and per-message hot paths, with allocations (the memory diagnoser column must read 0 where it can).</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly byte[] _frame = new byte[14 + 20 + 20 + 1448];
    private PacketDecoder _decoder = null!;
    private TcpReassembler _reassembler = null!;
    private uint _seq;
    private byte[] _smtpClient = null!, _smtpServer = null!;
    private const string AddressList = "\"Smith, John\" <john.smith@example.com>, =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <j.mueller@example.de>, Team: a@x.example, b@y.example;, plain@example.org (comment)";

    private sealed class NullHandler : ITcpStreamHandler, ISmtpTransactionHandler
    {
        public long Bytes, Transactions;
        public void OnFlowOpened(TcpFlow flow) { }
        public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs) => Bytes += data.Length;
        public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) { }
        public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) { }
        public void OnTransaction(SmtpTransaction transaction) => Transactions++;
    }

    private readonly NullHandler _handler = new();

    [GlobalSetup]
    public void Setup()
    {
        var f = _frame.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        var ip = f[14..];
        ip[0] = 0x45; BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 20 + 20 + 1448); ip[8] = 64; ip[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0A000001); BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0x0A000002);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000); BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 8080);
        tcp[12] = 0x50; tcp[13] = 0x18;
        _decoder = new PacketDecoder(new DecoderOptions(), new AnomalyCounters());
        _reassembler = new TcpReassembler(new ReassemblyOptions(), _handler, new AnomalyCounters());
        var sb = new StringBuilder("EHLO agent\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<b@x.example>\r\nRCPT TO:<phan@giftshop.club>\r\nDATA\r\n");
        sb.Append("From: a@corp.example\r\nTo: b@x.example\r\nSubject: hi\r\n\r\n");
        for (int i = 0; i < 100; i++) sb.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n");
        sb.Append(".\r\nQUIT\r\n");
        _smtpClient = Encoding.ASCII.GetBytes(sb.ToString());
        _smtpServer = Encoding.ASCII.GetBytes("220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n");
    }

    [Benchmark(Description = "decode Ethernet/IPv4/TCP 1448 B")]
    public int Decode()
    {
        var p = new CapturedPacket(LinkType.Ethernet, 1, _frame.Length, 0, _frame);
        return _decoder.Decode(p, out var seg) == DecodeResult.Tcp ? seg.Payload.Length : 0;
    }

    private readonly byte[] _packetDotNetBuffer = new byte[262144 + 4096];

    [Benchmark(Description = "decode Ethernet/IPv4/TCP 1448 B with PacketDotNet")]
    public int DecodePacketDotNet() => LibraryBenchmark.PacketDotNetView(LinkType.Ethernet, _frame, _packetDotNetBuffer);

    [Benchmark(Description = "decode + reassemble in-order segment")]
    public long DecodeAndReassemble()
    {
        BinaryPrimitives.WriteUInt32BigEndian(_frame.AsSpan(14 + 20 + 4), _seq);
        _seq += 1448;
        var p = new CapturedPacket(LinkType.Ethernet, 1, _frame.Length, 0, _frame);
        if (_decoder.Decode(p, out var seg) == DecodeResult.Tcp) _reassembler.Process(seg);
        return _handler.Bytes;
    }

    [Benchmark(Description = "SMTP session, one 6 KB message")]
    public long SmtpSession()
    {
        var s = new SmtpSession(SmtpOptions.Default, _handler, new AnomalyCounters());
        s.OnServerData(_smtpServer.AsSpan(0, 14), 1);
        s.OnClientData(_smtpClient, 2);
        s.OnServerData(_smtpServer.AsSpan(14), 3);
        s.OnClose(4);
        return _handler.Transactions;
    }

    [Benchmark(Description = "RFC 5322 address list, 5 mailboxes")]
    public int AddressListParse() => MimeAddresses.Parse(AddressList).Count;
}
