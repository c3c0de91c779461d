namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>Fields of a form body in wire order; names compare exactly (form field names are case-sensitive).</summary>
public sealed class FormFields
{
    public List<FormField> Fields { get; } = new();

    public int Count => Fields.Count;

    /// <summary>Value of the first field with this name, or null.</summary>
    public string? Get(string name)
    {
        foreach (var f in Fields)
            if (f.Name == name) return f.Value;
        return null;
    }

    public FormField? GetField(string name)
    {
        foreach (var f in Fields)
            if (f.Name == name) return f;
        return null;
    }

    /// <summary>Values of every field with this name (repeated fields are how arrays travel).</summary>
    public IEnumerable<string> GetAll(string name)
    {
        foreach (var f in Fields)
            if (f.Name == name) yield return f.Value;
    }
}
