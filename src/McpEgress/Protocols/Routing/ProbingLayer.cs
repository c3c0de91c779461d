using System.Buffers;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Finds a flow's protocol by content, on any port: it holds the first bytes of each direction (bounded by
/// <see cref="ProtocolOptions.MaxProbeBytesPerDirection"/>) until a probe answers Match, then replays them, in
/// their original interleaving, into the chosen layer. A flow no probe recognises is left alone.
/// </summary>
/// <remarks>
/// Kept small because every tracked flow has one while its first bytes arrive: buffers are rented at a direction's
/// first bytes and returned once the protocol is known, the held-chunk list exists only while a probe needs more,
/// and a probe at the root of a flow's stack hands its place to the layer it chose.
/// </remarks>
internal sealed class ProbingLayer : IStreamLayer
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private readonly bool _allowTls;
    private readonly bool _allowTunnel;
    private readonly bool _readsRawFlow;
    private bool _opaque;
    private int _clientLength, _serverLength;
    private byte[] _clientProbe = [], _serverProbe = [];
    private List<(FlowDirection Direction, byte[] Bytes)>? _held;
    private IStreamLayer? _decided;

    public ProbingLayer(ILayerContext context, FlowSession session, bool allowTls, bool allowTunnel)
    {
        _context = context;
        _session = session;
        _allowTls = allowTls;
        _allowTunnel = allowTunnel;
        _readsRawFlow = session.ReadsRawFlow;
    }

    /// <summary>Name of the protocol found ("smtp", "tls", "http"), or null.</summary>
    public string? Protocol { get; private set; }

    /// <summary>The protocol was not recognised; the rest of the flow is ignored.</summary>
    public bool Opaque => _opaque;

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        if (_decided is not null) { _decided.OnData(direction, data, timestampNs); return; }
        if (_opaque || data.IsEmpty) return;

        bool client = direction == FlowDirection.ClientToServer;
        ref byte[] probe = ref client ? ref _clientProbe : ref _serverProbe;
        ref int length = ref client ? ref _clientLength : ref _serverLength;
        int limit = _context.Settings.Protocol.MaxProbeBytesPerDirection;
        // Pooled: a flood of short flows that each match at their first bytes would otherwise churn 8 KB apiece.
        if (probe.Length == 0) probe = ArrayPool<byte>.Shared.Rent(limit);
        int take = Math.Min(limit - length, data.Length);
        data[..take].CopyTo(probe.AsSpan(length));
        length += take;

        var layer = _context.Probe(_session, _clientProbe.AsSpan(0, _clientLength), _serverProbe.AsSpan(0, _serverLength),
            _allowTls, _allowTunnel, out var result, out var protocol);
        switch (result)
        {
            case ProbeResult.Match:
                _decided = layer!;
                Protocol = protocol;
                // At the root of the stack this layer has nothing left to do: the chosen layer takes its place.
                if (ReferenceEquals(_session.Root, this)) _session.Root = _decided;
                if (_held is { } held)
                {
                    _held = null;
                    foreach (var (dir, bytes) in held) _decided.OnData(dir, bytes, timestampNs);
                }
                ReleaseProbeBuffers();
                _decided.OnData(direction, data, timestampNs);
                break;
            case ProbeResult.NoMatch:
                GiveUp();
                break;
            default:
                if (length >= limit) GiveUp();
                else (_held ??= []).Add((direction, data.ToArray()));
                break;
        }
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_decided is not null) { _decided.OnGap(direction, missingBytes, timestampNs); return; }
        if (_opaque) return;
        // A hole before the protocol is known: what we hold no longer lines up; start probing afresh on what follows.
        _held = null;
        _clientLength = _serverLength = 0;
    }

    public void OnClose(long timestampNs)
    {
        if (_decided is not null) { _decided.OnClose(timestampNs); return; }
        // A flow that carried no bytes at all (or TLS that never decrypted) is not an unidentified protocol.
        if (!_opaque && (_clientLength > 0 || _serverLength > 0)) GiveUp();
    }

    private void GiveUp()
    {
        _opaque = true;
        _held = null;
        ReleaseProbeBuffers();
        _context.ReportUnidentified(_session);
        // The rest of an unrecognised flow is ignored: when these are the flow's own bytes, nobody needs them.
        if (_readsRawFlow) _context.Bypass(_session);
    }

    private void ReleaseProbeBuffers()
    {
        if (_clientProbe.Length > 0) ArrayPool<byte>.Shared.Return(_clientProbe);
        if (_serverProbe.Length > 0) ArrayPool<byte>.Shared.Return(_serverProbe);
        _clientProbe = _serverProbe = [];
        _clientLength = _serverLength = 0;
    }
}
