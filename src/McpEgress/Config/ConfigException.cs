namespace McpEgress.Config;

/// <summary>A config file that cannot be used; <see cref="Exception.Message"/> holds one error per line.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(Join(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>Most errors in <see cref="Exception.Message"/>; the rest are counted on one last line.</summary>
    public const int MaxErrorsShown = 20;

    private static string Join(IReadOnlyList<ConfigError> errors) => errors.Count <= MaxErrorsShown
        ? string.Join(Environment.NewLine, errors)
        : string.Join(Environment.NewLine, errors.Take(MaxErrorsShown)) + Environment.NewLine
          + $"{errors[0].Source}: ... and {errors.Count - MaxErrorsShown} more errors";
}
