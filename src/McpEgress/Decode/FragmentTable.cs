using System.Buffers;
using McpEgress.Diagnostics;

namespace McpEgress.Decode;

/// <summary>
/// IPv4 / IPv6 fragment reassembly with a fixed number of slots. Overlap policy (as Linux since 4.19 and RFC 5722
/// for IPv6): an exact duplicate of a fragment already held is ignored; any other overlap discards the whole
/// datagram, because the endpoint would have discarded it too and a monitor must not pick a different reading of
/// the bytes than the receiver did. Expiry is by packet time (<see cref="DecoderOptions.FragmentTimeout"/>).
/// A completed payload stays valid until <see cref="ReleaseCompleted"/> (the next decode).
/// </summary>
internal sealed class FragmentTable
{
    private readonly DecoderOptions _options;
    private readonly IAnomalySink _anomalies;
    private readonly FragmentDatagram[] _slots;
    private readonly long _timeoutNs;
    private byte[]? _completed;

    public FragmentTable(DecoderOptions options, IAnomalySink anomalies)
    {
        _options = options;
        _anomalies = anomalies;
        _slots = new FragmentDatagram[Math.Max(0, options.MaxFragmentDatagrams)];
        _timeoutNs = options.FragmentTimeout.Ticks * 100;
    }

    /// <summary>Datagrams currently waiting for fragments.</summary>
    public int InProgress { get; private set; }

    public void ReleaseCompleted()
    {
        if (_completed is null) return;
        ArrayPool<byte>.Shared.Return(_completed);
        _completed = null;
    }

    /// <param name="offset">Fragment offset in bytes.</param>
    /// <param name="protocol">IPv4 protocol, or the IPv6 fragment header's next header.</param>
    public FragmentOutcome Add(scoped in FragmentKey key, int offset, bool more, ReadOnlySpan<byte> data, byte protocol, long nowNs,
        out ReadOnlySpan<byte> datagram, out byte datagramProtocol)
    {
        datagram = default;
        datagramProtocol = 0;
        bool v6 = key.IsV6;
        Expire(nowNs);

        int end = offset + data.Length;
        if (more && (data.Length & 7) != 0)
        {
            // RFC 791 / RFC 8200 4.5: every fragment but the last carries a multiple of 8 bytes.
            Report(v6 ? DecodeAnomalies.Ipv6FragmentBadLength : DecodeAnomalies.Ipv4FragmentBadLength);
            return FragmentOutcome.Dropped;
        }

        int index = Find(key);
        if (end > _options.MaxDatagramBytes)
        {
            Report(v6 ? DecodeAnomalies.Ipv6FragmentTooLarge : DecodeAnomalies.Ipv4FragmentTooLarge);
            if (index >= 0) Free(index);
            return FragmentOutcome.Dropped;
        }

        if (index < 0)
        {
            index = Allocate(key, nowNs);
            if (index < 0)
            {
                Report(v6 ? DecodeAnomalies.Ipv6FragmentTableFull : DecodeAnomalies.Ipv4FragmentTableFull);
                return FragmentOutcome.Dropped;
            }
        }
        var d = _slots[index];

        for (int i = 0; i < d.RangeCount; i++)
        {
            var (s, e) = d.Ranges[i];
            if (s == offset && e == end) return FragmentOutcome.Held; // retransmitted duplicate
            if (offset < e && s < end)
            {
                Report(v6 ? DecodeAnomalies.Ipv6FragmentOverlap : DecodeAnomalies.Ipv4FragmentOverlap);
                Free(index);
                return FragmentOutcome.Dropped;
            }
        }

        if (!more)
        {
            if (d.TotalLength >= 0 && d.TotalLength != end || MaxEnd(d) > end)
            {
                Report(v6 ? DecodeAnomalies.Ipv6FragmentInconsistentLength : DecodeAnomalies.Ipv4FragmentInconsistentLength);
                Free(index);
                return FragmentOutcome.Dropped;
            }
            d.TotalLength = end;
        }
        else if (d.TotalLength >= 0 && end > d.TotalLength)
        {
            Report(v6 ? DecodeAnomalies.Ipv6FragmentInconsistentLength : DecodeAnomalies.Ipv4FragmentInconsistentLength);
            Free(index);
            return FragmentOutcome.Dropped;
        }

        if (d.RangeCount == d.Ranges.Length)
        {
            Report(v6 ? DecodeAnomalies.Ipv6FragmentTooMany : DecodeAnomalies.Ipv4FragmentTooMany);
            Free(index);
            return FragmentOutcome.Dropped;
        }

        data.CopyTo(d.Buffer.AsSpan(offset));
        d.Ranges[d.RangeCount++] = (offset, end);
        d.ReceivedBytes += data.Length;
        if (offset == 0) d.Protocol = protocol;

        // Ranges never overlap, so the byte count equals the length exactly when every byte is present.
        if (d.TotalLength < 0 || d.ReceivedBytes != d.TotalLength)
            return FragmentOutcome.Held;

        ReleaseCompleted();
        _completed = d.Buffer;
        d.Buffer = null;
        datagram = _completed.AsSpan(0, d.TotalLength);
        datagramProtocol = (byte)d.Protocol;
        Free(index);
        return FragmentOutcome.Completed;
    }

    private static int MaxEnd(FragmentDatagram d)
    {
        int max = 0;
        for (int i = 0; i < d.RangeCount; i++) max = Math.Max(max, d.Ranges[i].End);
        return max;
    }

    private int Find(in FragmentKey key)
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i] is { InUse: true } s && s.Key == key) return i;
        return -1;
    }

    private int Allocate(in FragmentKey key, long nowNs)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var s = _slots[i] ??= new FragmentDatagram(Math.Max(1, _options.MaxFragmentsPerDatagram));
            if (s.InUse) continue;
            s.InUse = true;
            s.Key = key;
            s.FirstSeenNs = nowNs;
            s.Buffer = ArrayPool<byte>.Shared.Rent(_options.MaxDatagramBytes);
            s.TotalLength = -1;
            s.Protocol = -1;
            s.ReceivedBytes = 0;
            s.RangeCount = 0;
            InProgress++;
            return i;
        }
        return -1;
    }

    private void Expire(long nowNs)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var s = _slots[i];
            if (s is { InUse: true } && nowNs - s.FirstSeenNs > _timeoutNs)
            {
                Report(s.Key.IsV6 ? DecodeAnomalies.Ipv6FragmentTimeout : DecodeAnomalies.Ipv4FragmentTimeout);
                Free(i);
            }
        }
    }

    private void Free(int index)
    {
        var s = _slots[index];
        if (s.Buffer is not null) ArrayPool<byte>.Shared.Return(s.Buffer);
        s.Buffer = null;
        s.InUse = false;
        InProgress--;
    }

    private void Report(string name) => _anomalies.Report(AnomalyStage.Decode, name);
}
