using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using PacketDotNet;
using static McpEgress.Tests.Decode.PacketBytes;
using LinkType = McpEgress.Capture.LinkType;

namespace McpEgress.Tests.Decode;

/// <summary>
/// Random packets built with PacketDotNet decode to exactly what was built; random and mutated input never throws and
/// never trips the decoder's internal-error safety net.
/// </summary>
public class DecoderFuzzTests
{
    [Fact]
    public void PacketsBuiltWithPacketDotNetDecodeToWhatWasBuilt()
    {
        var decoder = new PacketDecoder(DecoderOptions.Default, new AnomalyCounters());
        var random = new Random(4242);
        for (int i = 0; i < 5_000; i++)
        {
            bool v6 = random.Next(2) == 0;
            var source = RandomAddress(random, v6);
            var destination = RandomAddress(random, v6);
            var tcp = new TcpPacket((ushort)random.Next(65536), (ushort)random.Next(65536))
            {
                SequenceNumber = (uint)random.NextInt64(1L << 32), AcknowledgmentNumber = (uint)random.NextInt64(1L << 32),
                Flags = (ushort)random.Next(256), WindowSize = (ushort)random.Next(65536),
                PayloadData = RandomBytes(random, random.Next(1400)),
            };
            IPPacket ip = v6 ? new IPv6Packet(source, destination) : new IPv4Packet(source, destination);
            ip.PayloadPacket = tcp;
            ip.UpdateCalculatedValues();
            var (linkType, frame) = random.Next(4) switch
            {
                0 => (LinkType.Raw, ip.Bytes),
                1 => (LinkType.Null, new NullPacket(v6 ? NullPacketType.IPv6 : NullPacketType.IPv4) { PayloadPacket = ip }.Bytes),
                2 => (LinkType.Ethernet, Ether(random, v6 ? EthernetType.IPv6 : EthernetType.IPv4, ip, vlan: false)),
                _ => (LinkType.Ethernet, Ether(random, v6 ? EthernetType.IPv6 : EthernetType.IPv4, ip, vlan: true)),
            };

            var packet = new CapturedPacket(linkType, 0, frame.Length, 0, frame);
            Assert.Equal(DecodeResult.Tcp, decoder.Decode(packet, out var segment));
            Assert.Equal(source, segment.Source.Address.ToIPAddress());
            Assert.Equal(destination, segment.Destination.Address.ToIPAddress());
            Assert.Equal(tcp.SourcePort, segment.Source.Port);
            Assert.Equal(tcp.DestinationPort, segment.Destination.Port);
            Assert.Equal(tcp.SequenceNumber, segment.Sequence);
            Assert.Equal(tcp.AcknowledgmentNumber, segment.Acknowledgment);
            Assert.Equal((TcpFlags)tcp.Flags, segment.Flags);
            Assert.Equal(tcp.WindowSize, segment.Window);
            Assert.True(tcp.PayloadData.AsSpan().SequenceEqual(segment.Payload), $"packet {i}: payload differs");
        }
    }

    private static System.Net.IPAddress RandomAddress(Random random, bool v6) => new(RandomBytes(random, v6 ? 16 : 4));

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Ether(Random random, EthernetType type, IPPacket ip, bool vlan)
    {
        var mac = new System.Net.NetworkInformation.PhysicalAddress(RandomBytes(random, 6));
        if (!vlan) return new EthernetPacket(mac, mac, type) { PayloadPacket = ip }.Bytes;
        // An 802.1Q tag: TCI (VLAN id) then the inner EtherType, as raw bytes between the Ethernet header and IP.
        var ether = new EthernetPacket(mac, mac, EthernetType.VLanTaggedFrame);
        ushort tci = (ushort)random.Next(4096);
        return Concat(ether.HeaderData, [(byte)(tci >> 8), (byte)tci, (byte)((ushort)type >> 8), (byte)type], ip.Bytes);
    }

    private static readonly LinkType[] LinkTypes =
        [LinkType.Ethernet, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop, LinkType.Raw, LinkType.Ipv4, LinkType.Ipv6, (LinkType)147];

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var anomalies = new AnomalyCounters();
        var decoder = new PacketDecoder(new DecoderOptions { MaxFragmentDatagrams = 4 }, anomalies);
        var random = new Random(12345);
        var buffer = new byte[200];
        for (int i = 0; i < 30_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            // Bias toward reaching deeper layers: valid-looking version nibbles and EtherTypes.
            if (length > 0 && random.Next(2) == 0) buffer[0] = (byte)((random.Next(2) == 0 ? 0x40 : 0x60) | (buffer[0] & 0x0F));
            var linkType = LinkTypes[random.Next(LinkTypes.Length)];
            var packet = new CapturedPacket(linkType, i * 1_000_000L, length + random.Next(3), 0, buffer.AsSpan(0, length));
            var result = decoder.Decode(packet, out var segment);
            if (result == DecodeResult.Tcp) Assert.True(segment.Payload.Length <= length);
        }
        Assert.Equal(0, anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.DecodeInternalError));
    }

    [Fact]
    public void MutatedValidPacketsNeverThrow()
    {
        var seeds = new (LinkType, byte[])[]
        {
            (LinkType.Ethernet, Ethernet(0x0800, Ipv4(6, Tcp("hello"u8.ToArray())))),
            (LinkType.Ethernet, Ethernet(0x8100, Concat([0, 1, 0x86, 0xdd], Ipv6(0, Concat([6, 0, 0, 0, 0, 0, 0, 0], Tcp("x"u8.ToArray())))))),
            (LinkType.Raw, Ipv4(6, Tcp(new byte[16]), id: 3, moreFragments: true)),
            (LinkType.Raw, Ipv4(6, Tcp(new byte[4]), id: 3, fragmentOffset: 16)),
            (LinkType.Raw, Ipv6(44, Concat(Ipv6Fragment(6, 0, true, 9), Tcp(new byte[12])))),
            (LinkType.Raw, Ipv6(44, Concat(Ipv6Fragment(6, 32, false, 9), new byte[8]))),
            (LinkType.LinuxSll2, Concat([0x86, 0xdd], new byte[18], Ipv6(6, Tcp([1, 2, 3])))),
        };
        var anomalies = new AnomalyCounters();
        var decoder = new PacketDecoder(new DecoderOptions { MaxFragmentDatagrams = 3, MaxFragmentsPerDatagram = 4 }, anomalies);
        var random = new Random(777);
        for (int i = 0; i < 30_000; i++)
        {
            var (linkType, seed) = seeds[random.Next(seeds.Length)];
            var bytes = (byte[])seed.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            int length = random.Next(3) == 0 ? random.Next(bytes.Length + 1) : bytes.Length;
            var packet = new CapturedPacket(linkType, i * 10_000_000L, bytes.Length, 0, bytes.AsSpan(0, length));
            decoder.Decode(packet, out _);
        }
        Assert.Equal(0, anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.DecodeInternalError));
        Assert.True(decoder.FragmentDatagramsInProgress <= 3);
    }
}
