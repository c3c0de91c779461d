namespace McpEgress.Mail;

/// <summary>What the mail-API call said about itself, beside the message it carried.</summary>
/// <param name="Endpoint">Provider endpoint id ("postmark.email", "graph.send_mail").</param>
/// <param name="Draft">A draft create/update call: its recipients, before the send call that names only the draft id.</param>
/// <param name="RawMessage">The recipients came from a raw RFC 5322 message inside the payload (Gmail raw, SES Raw).</param>
/// <param name="RawMessageTruncated">That raw message was cut by a limit before it was parsed whole.</param>
public sealed record ApiCallFacts(string Endpoint, bool Draft = false, bool RawMessage = false, bool RawMessageTruncated = false);
