namespace McpEgress.Fuzz;

/// <summary>Runs saved inputs through a target in-process (regression tests, crash triage), without afl-fuzz.</summary>
internal static class Replay
{
    public static IEnumerable<string> Files(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.txt").Order()
            : [p]);

    /// <summary>Null when the input ran cleanly, else the exception it raised.</summary>
    public static Exception? RunOne(Action<byte[]> target, byte[] input)
    {
        try { target(input); return null; }
        catch (Exception e) { return e; }
    }

    public static int Run(string name, Action<byte[]> target, IEnumerable<string> paths)
    {
        int ok = 0, failed = 0;
        foreach (var file in Files(paths))
        {
            var e = RunOne(target, File.ReadAllBytes(file));
            if (e is null) { ok++; continue; }
            failed++;
            Console.WriteLine($"FAIL {name} {file}\n{e}\n");
        }
        Console.WriteLine($"{name}: {ok} ok, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
