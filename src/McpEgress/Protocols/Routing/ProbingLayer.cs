using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Finds a flow's protocol by content, on any port: it holds the first bytes of each direction (bounded by
/// <see cref="ProtocolOptions.MaxProbeBytesPerDirection"/>) until a probe answers Match, then replays them, in
/// their original interleaving, into the chosen layer. A flow no probe recognises is left alone.
/// </summary>
internal sealed class ProbingLayer : IStreamLayer
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private readonly bool _allowTls;
    private readonly bool _allowTunnel;
    private readonly byte[][] _probe = [Array.Empty<byte>(), Array.Empty<byte>()];
    private readonly int[] _probeLength = new int[2];
    private readonly List<(FlowDirection Direction, byte[] Bytes)> _held = [];
    private IStreamLayer? _decided;
    private bool _opaque;

    public ProbingLayer(ILayerContext context, FlowSession session, bool allowTls, bool allowTunnel)
    {
        _context = context;
        _session = session;
        _allowTls = allowTls;
        _allowTunnel = allowTunnel;
    }

    /// <summary>Name of the protocol found ("smtp", "tls", "http"), or null.</summary>
    public string? Protocol { get; private set; }

    /// <summary>The protocol was not recognised; the rest of the flow is ignored.</summary>
    public bool Opaque => _opaque;

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        if (_decided is not null) { _decided.OnData(direction, data, timestampNs); return; }
        if (_opaque || data.IsEmpty) return;

        int d = (int)direction;
        int limit = _context.Settings.Protocol.MaxProbeBytesPerDirection;
        // Pooled: a flood of short flows that each match at their first bytes would otherwise churn 8 KB apiece.
        if (_probe[d].Length == 0) _probe[d] = System.Buffers.ArrayPool<byte>.Shared.Rent(limit);
        int take = Math.Min(limit - _probeLength[d], data.Length);
        data[..take].CopyTo(_probe[d].AsSpan(_probeLength[d]));
        _probeLength[d] += take;

        var client = _probe[0].AsSpan(0, _probeLength[0]);
        var server = _probe[1].AsSpan(0, _probeLength[1]);
        var layer = _context.Probe(_session, client, server, _allowTls, _allowTunnel, out var result, out var protocol);
        switch (result)
        {
            case ProbeResult.Match:
                _decided = layer!;
                Protocol = protocol;
                foreach (var (dir, bytes) in _held) _decided.OnData(dir, bytes, timestampNs);
                _held.Clear();
                ReleaseProbeBuffers();
                _decided.OnData(direction, data, timestampNs);
                break;
            case ProbeResult.NoMatch:
                GiveUp();
                break;
            default:
                if (_probeLength[d] >= limit) GiveUp();
                else _held.Add((direction, data.ToArray()));
                break;
        }
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_decided is not null) { _decided.OnGap(direction, missingBytes, timestampNs); return; }
        if (_opaque) return;
        // A hole before the protocol is known: what we hold no longer lines up; start probing afresh on what follows.
        _held.Clear();
        _probeLength[0] = _probeLength[1] = 0;
    }

    public void OnClose(long timestampNs)
    {
        if (_decided is not null) { _decided.OnClose(timestampNs); return; }
        // A flow that carried no bytes at all (or TLS that never decrypted) is not an unidentified protocol.
        if (!_opaque && (_probeLength[0] > 0 || _probeLength[1] > 0)) GiveUp();
    }

    private void GiveUp()
    {
        _opaque = true;
        _held.Clear();
        ReleaseProbeBuffers();
        _context.ReportUnidentified(_session);
    }

    private void ReleaseProbeBuffers()
    {
        foreach (var b in _probe)
            if (b.Length > 0) System.Buffers.ArrayPool<byte>.Shared.Return(b);
        _probe[0] = _probe[1] = Array.Empty<byte>();
        _probeLength[0] = _probeLength[1] = 0;
    }
}
