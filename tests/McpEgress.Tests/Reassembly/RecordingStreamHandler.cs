using McpEgress.Reassembly;

namespace McpEgress.Tests.Reassembly;

/// <summary>Records what the reassembler delivers, per flow and direction, and checks the call-order contract.</summary>
internal sealed class RecordingStreamHandler : ITcpStreamHandler
{
    public sealed class FlowRecord(TcpFlow flow)
    {
        public TcpFlow Flow { get; } = flow;
        public List<byte>[] Data { get; } = [new(), new()];
        /// <summary>(direction, stream position where the gap was declared, missing bytes).</summary>
        public List<(FlowDirection Direction, int Position, long Missing)> Gaps { get; } = new();
        public List<FlowCloseReason> Closes { get; } = new();

        public byte[] Client => Data[0].ToArray();
        public byte[] Server => Data[1].ToArray();
        public string ClientText => System.Text.Encoding.ASCII.GetString(Client);
        public string ServerText => System.Text.Encoding.ASCII.GetString(Server);
        public long GapBytes(FlowDirection d) => Gaps.Where(g => g.Direction == d).Sum(g => g.Missing);
    }

    public List<FlowRecord> Flows { get; } = new();
    public List<string> Violations { get; } = new();

    private FlowRecord Get(TcpFlow flow)
    {
        var r = Flows.FirstOrDefault(f => ReferenceEquals(f.Flow, flow));
        if (r is null) Violations.Add($"flow {flow.Id}: call before OnFlowOpened");
        else if (r.Closes.Count > 0) Violations.Add($"flow {flow.Id}: call after OnFlowClosed");
        return r ?? new FlowRecord(flow);
    }

    public FlowRecord Single => Assert.Single(Flows);

    public void OnFlowOpened(TcpFlow flow)
    {
        if (Flows.Any(f => ReferenceEquals(f.Flow, flow))) Violations.Add($"flow {flow.Id}: opened twice");
        Flows.Add(new FlowRecord(flow));
    }

    public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        if (data.IsEmpty) Violations.Add($"flow {flow.Id}: empty OnData");
        Get(flow).Data[(int)direction].AddRange(data.ToArray());
    }

    public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (missingBytes <= 0) Violations.Add($"flow {flow.Id}: gap of {missingBytes}");
        var r = Get(flow);
        r.Gaps.Add((direction, r.Data[(int)direction].Count, missingBytes));
    }

    public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs)
    {
        var r = Get(flow);
        r.Closes.Add(reason);
    }
}
