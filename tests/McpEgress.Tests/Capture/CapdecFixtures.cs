namespace McpEgress.Tests.Capture;

/// <summary>Locates tests/McpEgress.Tests/Fixtures/capdec from the test assembly's directory.</summary>
internal static class CapdecFixtures
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "Fixtures", "capdec", name);
            if (File.Exists(candidate)) return candidate;
            candidate = System.IO.Path.Combine(dir.FullName, "tests", "McpEgress.Tests", "Fixtures", "capdec", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }
}
