using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Fuzz;

/// <summary>
/// Anomalies are fine (malformed input is data), except the names the library reports from its catch-all safety
/// nets: those mean a parser threw, so the harness turns them back into a crash, with the swallowed exception
/// (the last first-chance exception seen) as the inner exception for triage.
/// </summary>
internal sealed class FuzzAnomalySink : IAnomalySink
{
    public static readonly FuzzAnomalySink Instance = new();

    private static readonly HashSet<(string Stage, string Name)> SafetyNets =
    [
        (AnomalyStage.Decode, DecodeAnomalies.DecodeInternalError),
        (AnomalyStage.Imf, ImfAnomalies.HeaderParserError),
        (AnomalyStage.MailApi, MailApiAnomalies.ExtractorError),
        (AnomalyStage.Pipeline, PipelineAnomalies.InternalError),
    ];

    [ThreadStatic] private static Exception? _lastThrown;

    static FuzzAnomalySink() =>
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => _lastThrown = e.Exception;

    public void Report(string stage, string name)
    {
        if (SafetyNets.Contains((stage, name)))
            throw new FuzzBugException($"{stage}/{name}: the library caught its own exception", _lastThrown);
    }
}
