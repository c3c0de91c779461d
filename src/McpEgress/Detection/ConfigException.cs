namespace McpEgress.Detection;

/// <summary>A config file that cannot be used; <see cref="Exception.Message"/> holds one error per line.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }
}
