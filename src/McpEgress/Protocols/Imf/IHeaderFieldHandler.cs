namespace McpEgress.Protocols.Imf;

/// <summary>
/// Receives fields from <see cref="HeaderBlockParser"/>. Implement it on a struct so the JIT specialises the
/// calls; <see cref="Wants"/> sees the raw name bytes, so fields nobody keeps never become strings.
/// </summary>
public interface IHeaderFieldHandler
{
    /// <summary>True to receive this field through <see cref="OnField"/>. <paramref name="name"/> is ASCII, trimmed.</summary>
    bool Wants(ReadOnlySpan<byte> name);

    void OnField(HeaderField field);
}
