namespace McpEgress.Capture.Live;

/// <summary>One entry of pcap_findalldevs: a name to pass in <see cref="LiveCaptureOptions.Interfaces"/>.</summary>
public sealed record LiveInterfaceInfo(string Name, string? Description, bool IsLoopback, bool IsUp, bool IsRunning);
