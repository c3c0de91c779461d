using McpEgress.Attribution;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Names the local process that opened each flow (<see cref="ProcessFacts"/>: pid, executable, command line, user,
/// and for Node processes the npm package and its version). Called at flow open on
/// the pipeline's worker threads (thread-safe). It first takes what the <see cref="SynTap"/> resolved at the SYN (the only chance for a
/// connection that closed before the pipeline saw it), then asks <paramref name="resolver"/> (which caches sockets
/// and processes) itself; flows that did not start on this host get nothing.
/// </summary>
public sealed class ProcessFlowAnnotator(ProcessResolver resolver, FlowProcessCache? early = null) : IFlowAnnotator
{
    private long _annotated;
    private long _earlyHits;

    // Called on the pipeline's worker threads (the resolver and the tap's cache take their own locks).
    public long Annotated => Interlocked.Read(ref _annotated);
    /// <summary>Flows whose process came from the SYN tap's cache.</summary>
    public long EarlyHits => Interlocked.Read(ref _earlyHits);

    public ProcessFacts? Annotate(TcpFlow flow)
    {
        // A flow opened from its SYN-ACK (SYN missed) has its key reversed; the cache is keyed by the SYN's direction.
        var info = early?.Get(flow.Key) ?? early?.Get(new FlowKey(flow.Key.Server, flow.Key.Client));
        if (info is not null) Interlocked.Increment(ref _earlyHits);
        // The client is the sender; only a flow whose orientation was guessed may take the other end's socket.
        else info = resolver.Resolve(flow.Key.Client, flow.Key.Server, allowReverse: flow.PickedUpMidStream);
        if (info is null) return null;
        Interlocked.Increment(ref _annotated);
        var facts = Facts(info);
        if (McpServers?.Find(facts.Pid, facts.Package) is { } server)
            facts = facts with { McpServer = server.Name, McpClient = server.Client, McpServerInstrumented = server.Instrumented };
        return facts;
    }

    /// <summary>The inventory's servers (swapped in by <see cref="InventoryMonitor"/> after each refresh): a flow of one of them is named after it.</summary>
    public McpServerIndex? McpServers
    {
        get => Volatile.Read(ref _mcpServers);
        set => Volatile.Write(ref _mcpServers, value);
    }
    private McpServerIndex? _mcpServers;

    public static ProcessFacts Facts(ProcessInfo info) => new()
    {
        Pid = info.Pid,
        Name = info.Executable is { } exe ? Path.GetFileName(exe) : null,
        Executable = info.Executable,
        CommandLine = info.CommandLine,
        UserId = info.Uid,
        UserName = info.UserName,
        Package = info.PackageName,
        PackageVersion = info.PackageVersion,
    };
}
