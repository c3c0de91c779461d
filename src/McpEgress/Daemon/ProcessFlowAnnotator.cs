using McpEgress.Attribution;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Names the local process that opened each flow as ECS fields: <c>process.pid</c>, <c>process.name</c>,
/// <c>process.executable</c>, <c>process.command_line</c>, <c>user.id</c>, <c>user.name</c>, and for Node processes
/// <c>mcp_egress.process.package</c> (npm name) and <c>mcp_egress.process.package_version</c>. Called at flow open on
/// the pipeline thread. It first takes what the <see cref="SynTap"/> resolved at the SYN (the only chance for a
/// connection that closed before the pipeline saw it), then asks <paramref name="resolver"/> (which caches sockets
/// and processes) itself; flows that did not start on this host get nothing.
/// </summary>
public sealed class ProcessFlowAnnotator(ProcessResolver resolver, FlowProcessCache? early = null) : IFlowAnnotator
{
    public const string PackageField = "mcp_egress.process.package";

    public long Annotated { get; private set; }
    /// <summary>Flows whose process came from the SYN tap's cache.</summary>
    public long EarlyHits { get; private set; }

    public IReadOnlyList<KeyValuePair<string, object?>>? Annotate(TcpFlow flow)
    {
        // A flow opened from its SYN-ACK (SYN missed) has its key reversed; the cache is keyed by the SYN's direction.
        var info = early?.Get(flow.Key) ?? early?.Get(new FlowKey(flow.Key.Server, flow.Key.Client));
        if (info is not null) EarlyHits++;
        // The client is the sender; only a flow whose orientation was guessed may take the other end's socket.
        else info = resolver.Resolve(flow.Key.Client, flow.Key.Server, allowReverse: flow.PickedUpMidStream);
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
