using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Pipeline;
using McpEgress.Protocols.Routing;

namespace McpEgress.Tests.Golden;

/// <summary>Runs the whole pipeline over capture files and keeps what it produced, plus the NDJSON it would print.</summary>
internal sealed class ReplayHarness : IEventOutput
{
    private readonly MemoryStream _ndjson = new();
    private readonly EcsEventWriter _writer;

    public ReplayHarness(PipelineOptions? options = null, McpEgressConfig? config = null, int workers = 1)
    {
        _writer = new EcsEventWriter(_ndjson, new EcsWriterOptions { LeaveOpen = true });
        config ??= McpEgressConfig.Default;
        Pipeline = new MonitorPipeline(options ?? new PipelineOptions(), new DetectionEngine(config.Detection), this, workers: workers);
    }

    public MonitorPipeline Pipeline { get; }
    public List<(MailMessage Message, IReadOnlyList<Alert> Alerts)> Results { get; } = [];
    public List<string> Errors { get; } = [];

    public string Ndjson
    {
        get { _writer.Flush(); return System.Text.Encoding.UTF8.GetString(_ndjson.ToArray()); }
    }

    public ReplayHarness Replay(params string[] files)
    {
        var replay = new CaptureReplay(Pipeline, Pipeline.Options.Capture);
        foreach (var f in files)
            if (replay.ReplayFile(f, null) is { } err) Errors.Add(err);
        Pipeline.Finish();
        return this;
    }

    public List<TlsSessionRecord> TlsSessions { get; } = [];
    public List<MailApiUnreadableRecord> Unreadable { get; } = [];
    public List<FlowSummaryRecord> FlowSummaries { get; } = [];

    public void OnFlowSummary(FlowSummaryRecord record) => FlowSummaries.Add(record);

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        Unreadable.Add(record);
        _writer.WriteMailApiUnreadable(record);
    }

    /// <summary>The writer the events go to (for events outside the pipeline: inventory changes, server alerts).</summary>
    public EcsEventWriter Writer => _writer;

    public void OnTlsSession(TlsSessionRecord record)
    {
        TlsSessions.Add(record);
        _writer.WriteTlsSession(record);
    }

    public void OnDeferredAlerts(IReadOnlyList<Alert> alerts)
    {
        foreach (var a in alerts) _writer.WriteAlert(a);
    }

    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        Results.Add((message, alerts));
        _writer.WriteMessage(message);
        foreach (var a in alerts) _writer.WriteAlert(a);
    }
}
