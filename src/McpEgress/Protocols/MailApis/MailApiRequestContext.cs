using McpEgress.Decode;

namespace McpEgress.Protocols.MailApis;

/// <summary>The flow a request came from; copied into every <see cref="Mail.MailMessage"/> the request produces.</summary>
public sealed record MailApiRequestContext(Endpoint Source, Endpoint Destination, long FlowId, string? ServerName);
