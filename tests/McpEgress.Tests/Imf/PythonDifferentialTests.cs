using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

/// <summary>
/// Differential test: every value of Data/address_corpus.jsonl (made by Data/gen_address_corpus.py) is parsed
/// by us and by Python's email package (Data/py_parse_addresses.py). The addr-spec lists must match; display
/// names must match where Python reports no defect. Deliberate differences are listed below with a reason.
/// </summary>
public class PythonDifferentialTests
{
    // Corpus ids where our addr-spec list (MimeKit, loose ParserOptions, plus the element-wise recovery of
    // MimeAddresses) differs from Python's on purpose, each with the RFC clause that decides.
    private static readonly Dictionary<string, string> AddressExceptions = new()
    {
        ["loose-0"] = "RFC 5322 §3.4/§3.2.5: a display-name is a phrase, which has no comma; MimeKit's loose mode "
            + "(AllowUnquotedCommasInAddresses) reads 'Smith, John <j@x>' as one mailbox, Python as 'Smith' + j@x",
        ["loose-1"] = "same, followed by another address",
        ["loose-5"] = "RFC 5322 §3.4: mailboxes are separated by commas; with the comma missing MimeKit keeps both "
            + "angle-addrs, Python drops the second",
        ["loose-6"] = "RFC 5322 §3.4.1: 'John Smith john@x' is no addr-spec (a local-part has no spaces outside quotes); "
            + "MimeKit rejects it and the addr-spec-shaped word is recovered, Python quotes the words into one local part",
        ["loose-8"] = "RFC 5322 §3.4.1: a domain ends without a dot; MimeKit drops the trailing dot, Python rejects the mailbox",
        ["hostile-0"] = "RFC 5322 §3.2.4: a quoted-string must be closed; MimeKit ends it at the angle-addr and keeps "
            + "a@x, Python makes the rest one quoted local part",
        ["hostile-3"] = "RFC 5322 §3.2.2: a comment must be closed; the rejected element is searched for addr-specs, "
            + "the unclosed comment included (a monitor reports one too many rather than one too few); Python finds none",
        ["hostile-5"] = "RFC 5322 §3.4: '<<a@x>>' is no angle-addr; MimeKit keeps the inner one, Python rejects the mailbox",
        ["hostile-9"] = "RFC 5322 §3.4.1: a domain-literal must end with ']'; MimeKit rejects 'a@[1.2.3.4' "
            + "(reported, address_list_invalid), Python closes it",
        ["hostile-20"] = "RFC 5322 §2.2.3: CRLF inside a value only comes from an API (never after unfolding); "
            + "MimeKit folds it to whitespace",
        ["hostile-22"] = "RFC 5322 §3.2.1: a lone backslash is no quoted-pair; MimeKit rejects it, Python makes it a local part",
        ["hostile-25"] = "same as hostile-5 with 50 nested angle brackets",
    };

    // Corpus ids (a trailing '*' matches a prefix) where addresses match but display names differ on purpose.
    private static readonly Dictionary<string, string> NameExceptions = new()
    {
        ["ewsplit-*"] = "RFC 2047 §6.2: whitespace between adjacent encoded-words is dropped; Python keeps it in phrases",
    };

    // RFC 5322 §3.2.2 makes a comment CFWS, never part of a display-name (Python drops it); MimeKit keeps the
    // RFC 822 convention 'addr (Full Name)' and uses the comment as the name of a mailbox that has none, and keeps
    // a comment inside a phrase. Every value with a comment is left out of the display-name comparison.
    private static bool HasComment(string value) => value.Contains('(');

    private static bool Listed(Dictionary<string, string> list, string id) =>
        list.ContainsKey(id) || list.Keys.Any(k => k.EndsWith('*') && id.StartsWith(k[..^1], StringComparison.Ordinal));

    private static string DataDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Data");

    [Fact]
    public void AddressListsMatchPythonEmailPackage()
    {
        string dir = DataDir();
        string corpus = Path.Combine(dir, "address_corpus.jsonl");
        var values = File.ReadAllLines(corpus, Encoding.UTF8)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("value").GetString()!);
        Assert.True(values.Count >= 200, $"corpus has {values.Count} values, want at least 200");

        var python = RunPython(Path.Combine(dir, "py_parse_addresses.py"), corpus);
        Assert.Equal(values.Count, python.Count);

        var failures = new List<string>();
        int namesCompared = 0;
        foreach (var (id, value) in values)
        {
            var py = python[id];
            var expected = Reference(py);
            var ours = MimeAddresses.Parse(value);
            var ourAddrs = ours.Select(a => a.Address).ToList();
            bool addrsMatch = ourAddrs.SequenceEqual(expected.Select(e => e.Addr));
            if (Listed(AddressExceptions, id))
            {
                if (addrsMatch) failures.Add($"{id}: listed as an exception but now matches Python; remove it");
                continue;
            }
            if (!addrsMatch)
            {
                failures.Add($"{id}: {Show(value)}\n   ours:   [{string.Join(" | ", ourAddrs.Select(Show))}]\n   python: [{string.Join(" | ", expected.Select(e => Show(e.Addr)))}]");
                continue;
            }
            bool clean = py.GetProperty("hr_error").ValueKind == JsonValueKind.Null
                         && py.GetProperty("hr_defects").GetArrayLength() == 0;
            if (!clean) continue;
            var ourNames = ours.Select(a => a.DisplayName ?? string.Empty).ToList();
            bool namesMatch = ourNames.SequenceEqual(expected.Select(e => e.Name));
            if (HasComment(value)) continue;
            if (Listed(NameExceptions, id))
            {
                if (namesMatch) failures.Add($"{id}: listed as a name exception but now matches Python; remove it");
                continue;
            }
            namesCompared++;
            if (!namesMatch)
                failures.Add($"{id}: {Show(value)}\n   names ours:   [{string.Join(" | ", ourNames.Select(Show))}]\n   names python: [{string.Join(" | ", expected.Select(e => Show(e.Name)))}]");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} differences from Python:\n" + string.Join("\n", failures));
        Assert.True(namesCompared >= 150, $"only {namesCompared} display-name lists compared");
    }

    // headerregistry (policy.default) when it works, without the "<>" it renders for a mailbox it could not parse;
    // getaddresses when headerregistry raises, without its empty entries.
    private static List<(string Name, string Addr)> Reference(JsonElement py)
    {
        if (py.GetProperty("hr_error").ValueKind == JsonValueKind.Null)
            return py.GetProperty("hr").EnumerateArray().Select(p => (p[0].GetString()!, p[1].GetString()!))
                .Where(p => p.Item2 != "<>").ToList();
        return py.GetProperty("ga").EnumerateArray().Select(p => (p[0].GetString()!, p[1].GetString()!))
            .Where(p => p.Item2.Length > 0).ToList();
    }

    private static string Show(string s) => JsonSerializer.Serialize(s, new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static Dictionary<string, JsonElement> RunPython(string script, string corpus)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(corpus);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"python3 is required for the differential test against Python's email package and was not found on PATH ({e.Message}). Install python3 (CI installs it).");
            throw;
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"python3 {script} failed ({p.ExitCode}): {stderr.Result}");
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("id").GetString()!);
        }
    }
}
