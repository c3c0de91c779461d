using McpEgress.Diagnostics;

namespace McpEgress.Fuzz;

/// <summary>
/// Anomalies are fine (malformed input is data), except the names the library reports from its catch-all safety
/// nets: those mean a parser threw, so the harness turns them back into a crash, with the swallowed exception
/// (the last first-chance exception seen) as the inner exception for triage.
/// </summary>
internal sealed class FuzzAnomalySink : IAnomalySink
{
    public static readonly FuzzAnomalySink Instance = new();

    // decode_internal_error: PacketDecoder; header_parser_error, address_parser_error: Imf; extractor_error: MailApis.
    private static readonly HashSet<string> SafetyNets =
        ["decode_internal_error", "header_parser_error", "address_parser_error", "extractor_error", "internal_error"];

    [ThreadStatic] private static Exception? _lastThrown;

    static FuzzAnomalySink() =>
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => _lastThrown = e.Exception;

    public void Report(string stage, string name)
    {
        if (SafetyNets.Contains(name))
            throw new FuzzBugException($"{stage}/{name}: the library caught its own exception", _lastThrown);
    }
}
