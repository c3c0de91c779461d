using McpEgress.Fuzz;

// mcp-egress-fuzz --list
// mcp-egress-fuzz TARGET                      afl-fuzz child (SharpFuzz out-of-process), see run-fuzz.sh
// mcp-egress-fuzz TARGET --replay FILE|DIR... runs inputs in-process, prints the exception of each failing one
// mcp-egress-fuzz --make-seeds CAPTURES_DIR SEEDS_DIR
if (args.Length == 1 && args[0] == "--list")
{
    foreach (var name in FuzzTargets.All.Keys) Console.WriteLine(name);
    return 0;
}
if (args.Length == 3 && args[0] == "--make-seeds")
    return SeedMaker.Run(args[1], args[2]);
if (args.Length < 1 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine("usage: mcp-egress-fuzz TARGET [--replay FILE|DIR...] | --list | --make-seeds CAPTURES_DIR SEEDS_DIR");
    Console.Error.WriteLine("targets: " + string.Join(' ', FuzzTargets.All.Keys));
    return 1;
}
if (args.Length == 1)
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        target(ms.ToArray());
    });
    return 0;
}
if (args[1] != "--replay" || args.Length < 3)
{
    Console.Error.WriteLine("usage: mcp-egress-fuzz TARGET --replay FILE|DIR...");
    return 1;
}
return Replay.Run(args[0], target, args[2..]);
