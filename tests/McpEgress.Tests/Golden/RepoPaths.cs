namespace McpEgress.Tests.Golden;

/// <summary>Locates the repository (the folder holding McpEgress.sln) from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Captures => Path.Combine(Root, "captures");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "McpEgress.sln"))) return dir.FullName;
        throw new InvalidOperationException("McpEgress.sln not found above " + AppContext.BaseDirectory);
    }
}
