using System.Diagnostics;
using System.Text.Json;

namespace McpEgress.Tests.Daemon;

/// <summary>Reading a live daemon's NDJSON events file while it is being written (the end-to-end tests).</summary>
internal static class EventsFile
{
    /// <summary>The event's <c>event.action</c>, or null.</summary>
    public static string? Action(JsonElement e) =>
        e.TryGetProperty("event", out var ev) && ev.TryGetProperty("action", out var a) ? a.GetString() : null;

    /// <summary>
    /// The first complete event in <paramref name="events"/> that <paramref name="match"/> accepts, polled every 200 ms;
    /// fails the test with the file and the daemon's stderr when none came within <paramref name="within"/>.
    /// </summary>
    public static async Task<JsonElement> WaitForEventAsync(string events, DaemonProcess daemon, Func<JsonElement, bool> match, TimeSpan within)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < within)
        {
            if (File.Exists(events))
            {
                string text;
                using (var s = new FileStream(events, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var r = new StreamReader(s)) text = await r.ReadToEndAsync();
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!line.EndsWith('}')) continue;
                    var e = JsonDocument.Parse(line).RootElement.Clone();
                    if (match(e)) return e;
                }
            }
            await Task.Delay(200);
        }
        Assert.Fail($"event not written within {within.TotalSeconds:0} s.\nevents:\n" + (File.Exists(events) ? File.ReadAllText(events) : "")
            + "\nstderr:\n" + daemon.Stderr);
        return default;
    }
}
