namespace McpEgress.Tests.Golden;

/// <summary>Replays one shipped capture the way the CLI does, loading its key log (X.keys) when there is one.</summary>
internal static class GoldenReplay
{
    public static ReplayHarness Run(string capture)
    {
        var h = new ReplayHarness();
        return h.Replay(capture);
    }
}
