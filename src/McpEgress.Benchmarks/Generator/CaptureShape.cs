namespace McpEgress.Benchmarks.Generator;

/// <summary>The agent-host traffic shapes <see cref="AgentCapture"/> writes.</summary>
internal enum CaptureShape
{
    /// <summary>~95% of bytes unkeyed TLS 1.3 uploads, ~5% mail (plain SMTP, keyed TLS 1.3 Postmark calls).</summary>
    Bulk,
    /// <summary>Only mail: plain SMTP sessions of ~1 KB messages and keyed TLS 1.3 Postmark calls.</summary>
    MailHeavy,
}
