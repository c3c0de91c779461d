namespace McpEgress.Config;

/// <summary>One key of a config mapping, with where the key was written.</summary>
internal sealed record ConfigEntry(string Key, int Line, int Column, ConfigNode Value);
