using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Decode.PacketBytes;

namespace McpEgress.Tests.Decode;

/// <summary>Random and mutated input never throws and never trips the decoder's internal-error safety net.</summary>
public class DecoderFuzzTests
{
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
        Assert.Equal(0, anomalies.Get(AnomalyStage.Decode, "decode_internal_error"));
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
        Assert.Equal(0, anomalies.Get(AnomalyStage.Decode, "decode_internal_error"));
        Assert.True(decoder.FragmentDatagramsInProgress <= 3);
    }
}
