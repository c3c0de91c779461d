using System.Globalization;
using System.Text.Json;
using McpEgress.Detection.Egress;
using McpEgress.Inventory;
using McpEgress.State;
using Spectre.Console;

namespace McpEgress.Cli;

/// <summary>
/// What <c>inventory --state</c> adds from the state database: each server's destinations (per-server egress, as
/// <c>watch</c> recorded them; <c>--since</c> filters by last seen) and when each advisory first matched, as a table
/// after the servers' or inside their JSON objects.
/// </summary>
internal sealed class EgressReport
{
    private readonly List<EgressRow> _rows;
    private readonly Dictionary<(string Client, string Name, string Advisory), long> _firstMatched;
    private readonly bool _allSenders;

    private EgressReport(List<EgressRow> rows, Dictionary<(string, string, string), long> firstMatched, bool allSenders)
    {
        _rows = rows;
        _firstMatched = firstMatched;
        _allSenders = allSenders;
    }

    /// <summary>
    /// Records the scan in the state database (servers, versions, advisory matches), then reads the egress rows last seen
    /// at or after <paramref name="sinceNs"/>. Null (a warning on stderr) when the file cannot be used.
    /// </summary>
    public static EgressReport? Record(string path, StateOptions options, InventoryResult result, long sinceNs, bool allSenders)
    {
        var stateOptions = options.Copy();
        stateOptions.WaitWhenFull = true; // offline: never drop a write
        using var db = StateDatabase.TryOpen(path, stateOptions, line => Console.Error.WriteLine("mcp-egress: " + line));
        if (db is null) return null;
        InventoryHistory.Record(db, McpServerState.ByKey(result.Servers).Values, (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100, result.Problems.Count);
        return new EgressReport(EgressHistory.Query(db, sinceNs), InventoryHistory.AdvisoryFirstMatched(db), allSenders);
    }

    public long? FirstMatched(string client, string name, string advisory) =>
        _firstMatched.TryGetValue((client, name, advisory), out var t) ? t : null;

    private IEnumerable<EgressRow> Shown => _allSenders ? _rows : _rows.Where(r => r.IsMcpServer);

    /// <summary>ISO 8601 UTC to the second.</summary>
    public static string Time(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public void WriteTable(TextWriter output, string? since)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (Console.IsOutputRedirected) console.Profile.Width = 400;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Server").AddColumn("Client").AddColumn("Package").AddColumn("Destination").AddColumn("IP").AddColumn(new TableColumn("Port").RightAligned())
            .AddColumn("First seen").AddColumn("Last seen").AddColumn(new TableColumn("Conns").RightAligned())
            .AddColumn(new TableColumn("Bytes out").RightAligned()).AddColumn(new TableColumn("Bytes in").RightAligned());
        var rows = Shown.OrderBy(r => r.Client.Length == 0).ToList(); // MCP servers first
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Server), Markup.Escape(r.IsMcpServer ? r.Client : "-"), Markup.Escape(Package(r) ?? "-"),
                Markup.Escape(r.Destination.Length > 0 ? r.Destination : "-"), Markup.Escape(r.Ip), r.Port.ToString(CultureInfo.InvariantCulture),
                Time(r.FirstSeenNs), Time(r.LastSeenNs), r.Connections.ToString(CultureInfo.InvariantCulture),
                r.BytesOut.ToString(CultureInfo.InvariantCulture), r.BytesIn.ToString(CultureInfo.InvariantCulture));
        console.WriteLine("Destinations (per-server egress, as watch recorded them):");
        if (rows.Count > 0) console.Write(table);
        int servers = rows.Select(r => (r.Client, r.Server)).Distinct().Count();
        console.WriteLine($"{rows.Count} destinations of {servers} {(_allSenders ? "senders" : "MCP servers")}{(since is null ? "" : " last seen since " + since)}");
    }

    private static string? Package(EgressRow r) => r.Package is null ? null : r.Version is null ? r.Package : $"{r.Package}@{r.Version}";

    /// <summary><c>destinations</c>: the rows of one server (client and name), inside its <c>mcp_egress.mcp_server</c> object.</summary>
    public void WriteDestinations(Utf8JsonWriter w, string client, string server) =>
        WriteRows(w, _rows.Where(r => r.Client == client && r.Server == server).ToList());

    /// <summary>One object per server seen only in traffic (not in this scan), and with --all-senders per other sender.</summary>
    public void WriteOthers(Utf8JsonWriter w, IReadOnlyList<McpServerRecord> scanned)
    {
        var known = scanned.Select(s => (s.Client, s.Name)).ToHashSet();
        foreach (var group in Shown.GroupBy(r => (r.Client, r.Server)).Where(g => !known.Contains(g.Key)).OrderBy(g => g.Key.Client.Length == 0)) // MCP servers first
        {
            var first = group.First();
            w.WriteStartObject();
            w.WriteStartObject("mcp_egress");
            w.WriteStartObject(first.IsMcpServer ? "mcp_server" : "sender");
            w.WriteString("name", first.Server);
            if (first.IsMcpServer)
            {
                w.WriteString("client", first.Client);
                w.WriteStartArray("state");
                w.WriteStringValue("seen_in_traffic");
                w.WriteEndArray();
            }
            WriteRows(w, group.ToList());
            w.WriteEndObject();
            w.WriteEndObject();
            if (first.Package is not null)
            {
                w.WriteStartObject("package");
                w.WriteString("name", first.Package);
                if (first.Version is not null) w.WriteString("version", first.Version);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }

    private static void WriteRows(Utf8JsonWriter w, List<EgressRow> rows)
    {
        if (rows.Count == 0) return;
        w.WriteStartArray("destinations");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            if (r.Destination.Length > 0) w.WriteString("domain", r.Destination);
            w.WriteString("ip", r.Ip);
            w.WriteNumber("port", r.Port);
            w.WriteString("first_seen", Time(r.FirstSeenNs));
            w.WriteString("last_seen", Time(r.LastSeenNs));
            w.WriteNumber("connections", r.Connections);
            w.WriteNumber("bytes_out", r.BytesOut);
            w.WriteNumber("bytes_in", r.BytesIn);
            if (Package(r) is { } p) w.WriteString("package", p);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
