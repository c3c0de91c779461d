using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Who sent a message, as the baselines key it: the package (npm or PyPI name) owning the process, else its executable.</summary>
public static class SenderIdentity
{
    /// <summary>The package name, else the executable path, else null (replay without process facts, remote flows).</summary>
    public static string? Of(ProcessFacts? process) =>
        !string.IsNullOrEmpty(process?.Package) ? process.Package
        : !string.IsNullOrEmpty(process?.Executable) ? process.Executable
        : null;

    /// <summary>Packet time (Unix ns) as ISO 8601 UTC to the second, for alert sentences.</summary>
    public static string Time(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
