namespace McpEgress.Protocols.Imf;

/// <summary>One header field: the name as written (without trailing whitespace) and the unfolded, trimmed value.</summary>
public readonly record struct HeaderField(string Name, string Value);
