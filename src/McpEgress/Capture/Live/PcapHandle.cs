using Microsoft.Win32.SafeHandles;

namespace McpEgress.Capture.Live;

/// <summary>A pcap_t*; released with pcap_close once no thread uses it (SafeHandle reference counting).</summary>
internal sealed class PcapHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public PcapHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibPcap.pcap_close(handle);
        return true;
    }
}
