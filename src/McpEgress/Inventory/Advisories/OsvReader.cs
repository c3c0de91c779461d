using System.Text.Json;
using McpEgress.Inventory.Clients;

namespace McpEgress.Inventory.Advisories;

/// <summary>
/// Reads OSV JSON records (ossf.github.io/osv-schema): <c>id</c>, <c>summary</c>, <c>withdrawn</c>,
/// <c>affected[].package.{ecosystem,name}</c>, <c>affected[].ranges[].{type,events[]}</c>, <c>affected[].versions[]</c>.
/// A file may hold one record or an array of them. Problems are located at their line; other fields are ignored.
/// </summary>
public static class OsvReader
{
    public static List<OsvAdvisory> Read(string file, byte[] content, ConfigReadOutput output)
    {
        var list = new List<OsvAdvisory>();
        var source = new JsonConfigSource(file, content, output);
        using var doc = source.Parse();
        if (doc is null) return list;
        if (doc.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in doc.RootElement.EnumerateArray())
                if (ReadOne(source, e) is { } a) list.Add(a);
        }
        else if (ReadOne(source, doc.RootElement) is { } a) list.Add(a);
        return list;
    }

    private static OsvAdvisory? ReadOne(JsonConfigSource source, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            source.Output.Problems.Add(new ConfigProblem(source.File, 1, 1, "expected an OSV record (a JSON object)"));
            return null;
        }
        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()))
        {
            source.Problem(["id"], "an OSV record needs a string id");
            return null;
        }
        string? summary = root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        bool withdrawn = root.TryGetProperty("withdrawn", out var w) && w.ValueKind == JsonValueKind.String;
        var affected = new List<OsvAffected>();
        if (root.TryGetProperty("affected", out var aff))
        {
            if (aff.ValueKind != JsonValueKind.Array)
            {
                source.Problem(["affected"], $"expected an array, got {JsonServerEntry.Kind(aff)}");
                return null;
            }
            foreach (var a in aff.EnumerateArray())
            {
                if (a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("package", out var pkg) || pkg.ValueKind != JsonValueKind.Object
                    || !pkg.TryGetProperty("ecosystem", out var eco) || eco.ValueKind != JsonValueKind.String
                    || !pkg.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    source.Problem(["affected"], "each entry needs package.ecosystem and package.name strings");
                    continue;
                }
                var ranges = new List<OsvRange>();
                if (a.TryGetProperty("ranges", out var rs) && rs.ValueKind == JsonValueKind.Array)
                {
                    foreach (var r in rs.EnumerateArray())
                    {
                        if (r.ValueKind != JsonValueKind.Object) continue;
                        string type = r.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                        var events = new List<OsvEvent>();
                        if (r.TryGetProperty("events", out var evs) && evs.ValueKind == JsonValueKind.Array)
                            foreach (var ev in evs.EnumerateArray())
                                if (ev.ValueKind == JsonValueKind.Object)
                                    foreach (var p in ev.EnumerateObject())
                                        if (p.Value.ValueKind == JsonValueKind.String) events.Add(new OsvEvent(p.Name, p.Value.GetString()!));
                        ranges.Add(new OsvRange(type, events));
                    }
                }
                var versions = new List<string>();
                if (a.TryGetProperty("versions", out var vs) && vs.ValueKind == JsonValueKind.Array)
                    foreach (var v in vs.EnumerateArray())
                        if (v.ValueKind == JsonValueKind.String) versions.Add(v.GetString()!);
                affected.Add(new OsvAffected(eco.GetString()!, name.GetString()!, ranges, versions));
            }
        }
        return new OsvAdvisory(id.GetString()!, summary, source.File, withdrawn, affected);
    }
}
