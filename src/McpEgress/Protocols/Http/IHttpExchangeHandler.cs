namespace McpEgress.Protocols.Http;

/// <summary>
/// Receives each request once. When: the request body is complete AND its final (non-1xx) response head was seen.
/// Requests still waiting are emitted with <see cref="HttpRequestRecord.ResponseStatus"/> 0 at close, when a gap makes
/// matching impossible, when a limit evicts them (HTTP/1.1 pipelining, HTTP/2 streams), or on RST_STREAM. A request
/// whose body could not be fully seen is emitted with <see cref="HttpRequestRecord.Incomplete"/> set.
/// </summary>
public interface IHttpExchangeHandler
{
    void OnRequest(HttpRequestRecord request);
}
