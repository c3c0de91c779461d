namespace McpEgress.Mail;

/// <summary>The HTTP request that carried a mail-API message, as seen on the wire.</summary>
/// <param name="Method">Request method ("POST").</param>
/// <param name="Url">Full URL with credentials in the query replaced by <c>[REDACTED]</c>.</param>
/// <param name="Version">Protocol version as the parser names it ("HTTP/1.1", "HTTP/2").</param>
/// <param name="Status">Response status code; 0 when no response was seen.</param>
public sealed record HttpFacts(string Method, string Url, string Version, int Status);
