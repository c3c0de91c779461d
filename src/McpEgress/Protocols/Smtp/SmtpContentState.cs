namespace McpEgress.Protocols.Smtp;

/// <summary>Where the content parser stands relative to the current line (see <see cref="SmtpContentParser"/>).</summary>
internal enum SmtpContentState : byte
{
    LineStart,
    /// <summary>A '.' began the line; it is held back until we know whether the line is the terminator.</summary>
    Dot,
    /// <summary>".\r" began the line.</summary>
    DotCr,
    /// <summary>A '\r' began the line: maybe the empty line that ends the headers.</summary>
    Cr,
    MidLine,
}
