using McpEgress.Capture;

namespace McpEgress.Tests.Capture;

/// <summary>A copied <see cref="CapturedPacket"/>, so tests can keep packets after the next read.</summary>
internal sealed record CapturedRecord(LinkType LinkType, long TimestampNs, int OriginalLength, int InterfaceId, byte[] Data)
{
    public static List<CapturedRecord> ReadAll(ICaptureReader reader)
    {
        var list = new List<CapturedRecord>();
        while (reader.TryReadPacket(out var p))
            list.Add(new CapturedRecord(p.LinkType, p.TimestampNs, p.OriginalLength, p.InterfaceId, p.Data.ToArray()));
        return list;
    }

    public static ICaptureReader Open(byte[] bytes, CaptureReaderOptions? options = null,
        IDecryptionSecretsSink? secrets = null, McpEgress.Diagnostics.IAnomalySink? anomalies = null) =>
        CaptureFile.Open(new MemoryStream(bytes), options, secrets, anomalies);
}
