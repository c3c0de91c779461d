using McpEgress.Capture.Live;
using SharpPcap;
using SharpPcap.LibPcap;
using Xunit.Abstractions;

namespace McpEgress.Tests.Capture.Live;

/// <summary>
/// What SharpPcap 6.3.1 does not give live capture, shown on a real device on lo, so the libpcap calls we still make
/// ourselves (<see cref="LibPcap"/>) are kept only while these hold. If one fails, SharpPcap fixed it: use SharpPcap's
/// call and delete ours.
/// </summary>
[Collection("live capture")]
public class SharpPcapGapTests(ITestOutputHelper output)
{
    private static LibPcapLiveDevice OpenDevice(string name, string filter, DeviceConfiguration configuration)
    {
        var device = LibPcapLiveDeviceList.New().First(d => d.Name == name);
        device.Open(configuration);
        device.Filter = filter;
        return device;
    }

    [Fact]
    public unsafe void GetNextPacketAllocatesPerPacketAndGetNextPacketPointersDoesNot()
    {
        using var connection = new LoopbackConnection();
        var device = OpenDevice("lo", $"tcp port {connection.Port}", new DeviceConfiguration { Immediate = true, ReadTimeout = 100 });
        var done = new ManualResetEventSlim();
        const int Segments = 1500, Wanted = 200;
        var sender = new Thread(() => connection.SendPaced(new byte[100], Segments));
        // pcap_next_ex blocks once the traffic is over (fewer packets than hoped, e.g. coalesced ACKs): wake it then.
        var watchdog = new Thread(() =>
        {
            sender.Join();
            if (!done.Wait(TimeSpan.FromSeconds(2))) LibPcap.pcap_breakloop(device.Handle.DangerousGetHandle());
        });
        try
        {
            sender.Start();
            watchdog.Start();
            long apiPackets = 0, apiBytes = 0, pointerPackets = 0, pointerBytes = 0, start = 0;
            IntPtr header = 0, data = 0;
            // First packets through GetNextPacket(out PacketCapture), the rest through GetNextPacketPointers.
            while (pointerPackets < Wanted)
            {
                bool usePointers = apiPackets >= Wanted;
                long before = GC.GetAllocatedBytesForCurrentThread();
                int result = usePointers
                    ? device.GetNextPacketPointers(ref header, ref data)
                    : (int)device.GetNextPacket(out var packet) is var status && status == 1 && packet.Data.Length == 0 ? 0 : status;
                bool read = result == LibPcap.NextPacket;
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (result == LibPcap.NextBreak) break;
                if (!read) continue;
                if (++start <= 50) continue; // JIT and first use
                if (usePointers) { pointerPackets++; pointerBytes += allocated; }
                else { apiPackets++; apiBytes += allocated; }
            }
            done.Set();
            output.WriteLine($"GetNextPacket: {apiBytes / Math.Max(apiPackets, 1)} B/packet over {apiPackets}; " +
                             $"GetNextPacketPointers: {pointerBytes / Math.Max(pointerPackets, 1)} B/packet over {pointerPackets}");
            Assert.True(apiPackets >= Wanted && pointerPackets >= Wanted / 2, $"{apiPackets} and {pointerPackets} packets");
            Assert.True(apiBytes / apiPackets >= 32, $"GetNextPacket allocated {apiBytes / apiPackets} B/packet");
            Assert.Equal(0, pointerBytes);
        }
        finally
        {
            done.Set();
            sender.Join();
            watchdog.Join();
            device.Close();
        }
    }

    [Fact]
    public unsafe void StatisticsReportInterfaceDropsAsDropsAndLoseKernelDrops()
    {
        // The kernel ring overflows (immediate mode on "any": snap-length frames, 1 MiB = a handful) while nobody reads.
        var connections = new[] { new LoopbackConnection(), new LoopbackConnection(), new LoopbackConnection() };
        var device = OpenDevice("any", string.Join(" or ", connections.Select(c => $"tcp port {c.Port}")),
            new DeviceConfiguration { Immediate = true, BufferSize = 1024 * 1024, Snaplen = 262144, ReadTimeout = 100 });
        try
        {
            var chunk = new byte[100];
            var senders = connections.Select(c => new Thread(() => { for (int i = 0; i < 1000; i++) c.Send(chunk); })).ToArray();
            foreach (var t in senders) t.Start();
            foreach (var t in senders) t.Join();
            foreach (var c in connections) c.WaitReceived(1000 * chunk.Length);

            LibPcap.Stat ours;
            Assert.Equal(0, LibPcap.pcap_stats(device.Handle.DangerousGetHandle(), &ours));
            var theirs = device.Statistics;
            output.WriteLine($"pcap_stats: recv {ours.Received}, drop {ours.Dropped}, ifdrop {ours.InterfaceDropped}; " +
                             $"SharpPcap: recv {theirs.ReceivedPackets}, drop {theirs.DroppedPackets}, ifdrop {theirs.InterfaceDroppedPackets}");
            Assert.True(ours.Dropped > 0, "the kernel ring did not overflow");
            // Pointer-sized ps_recv/ps_drop over 32-bit fields: ps_drop lands on ps_ifdrop, and ifdrop is fixed at 0.
            Assert.Equal(ours.InterfaceDropped, theirs.DroppedPackets);
            Assert.NotEqual(ours.Dropped, theirs.DroppedPackets);
            Assert.Equal(0u, theirs.InterfaceDroppedPackets);
        }
        finally
        {
            device.Close();
            foreach (var c in connections) c.Dispose();
        }
    }
}
