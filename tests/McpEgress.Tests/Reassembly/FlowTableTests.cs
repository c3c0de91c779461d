using System.Net;
using McpEgress.Decode;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Reassembly;

/// <summary>The reassembler's intrusive flow table against a Dictionary doing the same adds, finds and removes.</summary>
public class FlowTableTests
{
    private static Endpoint Ep(int host, int port) =>
        new(IpAddress16.FromIPAddress(new IPAddress(new byte[] { 10, (byte)(host >> 16), (byte)(host >> 8), (byte)host })), (ushort)port);

    [Fact]
    public void FindsEveryFlowInEitherOrderAcrossGrowthAndRemoval()
    {
        var table = new FlowTable();
        var reference = new Dictionary<(Endpoint, Endpoint), FlowState>();
        var random = new Random(11);
        var server = Ep(0, 25);
        for (int round = 0; round < 20_000; round++)
        {
            // Few hosts and ports, so keys repeat, collide and come back after removal.
            var client = Ep(random.Next(64), 1024 + random.Next(64));
            var key = (client, server);
            bool found = table.TryGetValue(new ConnectionKey(server, client), out var state);
            Assert.Equal(reference.TryGetValue(key, out var expected), found);
            if (found)
            {
                Assert.Same(expected, state);
                if (random.Next(2) == 0)
                {
                    Assert.True(table.Remove(state));
                    Assert.False(table.Remove(state));
                    reference.Remove(key);
                }
            }
            else
            {
                var added = new FlowState(new TcpFlow(round, new FlowKey(client, server), 0, false));
                table.Add(added);
                reference.Add(key, added);
                Assert.True(table.TryGetValue(new ConnectionKey(client, server), out var back));
                Assert.Same(added, back);
            }
            Assert.Equal(reference.Count, table.Count);
        }
        Assert.True(reference.Count > 1000);
        foreach (var ((client, srv), state) in reference)
        {
            Assert.True(table.TryGetValue(new ConnectionKey(srv, client), out var s));
            Assert.Same(state, s);
        }
    }
}
