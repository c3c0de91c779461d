using McpEgress.Host;
using McpEgress.Protocols;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Names the local process that opened each flow (via <see cref="ProcessResolver"/>, which caches sockets and
/// processes) as ECS fields: <c>process.pid</c>, <c>process.name</c>, <c>process.executable</c>,
/// <c>process.command_line</c>, <c>user.id</c>, <c>user.name</c>, and for Node processes
/// <c>mcp_egress.process.package</c> (npm name) and <c>mcp_egress.process.package_version</c>. Called at flow open,
/// when the socket still exists; flows that did not start on this host get nothing.
/// </summary>
public sealed class ProcessFlowAnnotator(ProcessResolver resolver) : IFlowAnnotator
{
    public const string PackageField = "mcp_egress.process.package";

    public long Annotated { get; private set; }

    public IReadOnlyList<KeyValuePair<string, object?>>? Annotate(TcpFlow flow)
    {
        var info = resolver.Resolve(flow.Key.Client, flow.Key.Server);
        if (info is null) return null;
        Annotated++;
        return Fields(info);
    }

    public static IReadOnlyList<KeyValuePair<string, object?>> Fields(ProcessInfo info)
    {
        var fields = new List<KeyValuePair<string, object?>>(9);
        void Add(string key, object? value) { if (value is not null) fields.Add(new(key, value)); }
        Add("process.pid", info.Pid is int pid ? (long)pid : null);
        Add("process.name", info.Executable is { } exe ? Path.GetFileName(exe) : null);
        Add("process.executable", info.Executable);
        Add("process.command_line", info.CommandLine);
        Add("user.id", info.Uid?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("user.name", info.UserName);
        Add(PackageField, info.PackageName);
        Add("mcp_egress.process.package_version", info.PackageVersion);
        return fields;
    }
}
