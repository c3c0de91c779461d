namespace McpEgress.Protocols.Imf;

/// <summary>What <see cref="HeaderBlockParser"/> saw.</summary>
/// <param name="FieldCount">Well-formed fields (name, colon) in the block, kept or not, up to the field limit.</param>
/// <param name="BytesConsumed">Offset just after the empty line, or the end of the inspected bytes if there was none.</param>
/// <param name="EndOfHeaders">True when the empty line ending the header block was found.</param>
public readonly record struct HeaderBlockResult(int FieldCount, int BytesConsumed, bool EndOfHeaders);
