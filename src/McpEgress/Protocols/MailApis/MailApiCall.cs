using System.Buffers;
using System.Text;
using System.Text.Json;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// One request being read: its path and body, the result being built, and the helpers every provider reader shares
/// (body decoding, address reading under the per-message cap, raw RFC 822 headers, emitting under the per-request cap).
/// </summary>
internal sealed class MailApiCall : IDisposable
{
    // The call's JSON documents, disposed with it: usually one (the body), so a list only from the second.
    private JsonDocument? _document;
    private List<JsonDocument>? _moreDocuments;
    private bool _tooManyMessagesReported;
    private Dictionary<string, string>? _query;

    public MailApiCall(HttpRequestRecord request, string host, string? serverName, MailApiRequestContext? context,
        MailApiOptions options, ImfOptions imfOptions, IAnomalySink anomalies, string provider)
    {
        Request = request;
        Host = host;
        ServerName = serverName;
        Context = context;
        Options = options;
        ImfOptions = imfOptions;
        Anomalies = anomalies;
        Result = new MailApiResult { Provider = provider, Endpoint = OtherEndpoints.GetValueOrDefault(provider) ?? provider + ".other" };
        Method = request.Method.ToUpperInvariant();

        string target = request.Target;
        bool absolute = target.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (absolute)
        {
            // RFC 9112 §3.2.2 absolute-form (through a proxy): drop scheme and authority.
            int slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = slash < 0 ? "/" : target[slash..];
        }
        int q = target.IndexOfAny(['?', '#']);
        RawQuery = q >= 0 && target[q] == '?' ? target[(q + 1)..] : "";
        int hash = RawQuery.IndexOf('#');
        if (hash >= 0) RawQuery = RawQuery[..hash];
        string rawPath = q < 0 ? target : target[..q];
        Segments = NormalizedSegments(rawPath);
        Path = IsPlainPath(rawPath) ? rawPath : "/" + string.Join('/', Segments);
        UrlFull = absolute ? request.RedactedTarget : HttpsUrl(host, request.RedactedTarget);
        MediaType = MediaType.Parse(request.ContentType ?? request.GetHeader("content-type"));
    }

    // "{provider}.other", the endpoint of a call not (yet) recognised: one string per provider, not one per call.
    private static readonly Dictionary<string, string> OtherEndpoints = MailApiProviders.Ids.ToDictionary(id => id, id => id + ".other");

    public HttpRequestRecord Request { get; }
    public string Host { get; }
    public string? ServerName { get; }
    public MailApiRequestContext? Context { get; }
    public MailApiOptions Options { get; }
    public ImfOptions ImfOptions { get; }
    public IAnomalySink Anomalies { get; }
    public MailApiResult Result { get; }
    /// <summary>Upper-case method.</summary>
    public string Method { get; }
    /// <summary>Percent-decoded path without query.</summary>
    public string Path { get; }
    public string[] Segments { get; }
    public string RawQuery { get; }
    public string UrlFull { get; }
    public MediaType MediaType { get; }

    public bool IsPost => Method == "POST";

    public void Report(string name) => Anomalies.Report(AnomalyStage.MailApi, name);

    /// <summary>Marks the call as a send (or, with <paramref name="send"/> false, a recipient-bearing non-send such as a draft).</summary>
    public void SetEndpoint(string endpoint, bool send = true)
    {
        Result.Endpoint = endpoint;
        Result.IsSendCall = send;
    }

    /// <summary>Records why the payload could not be read; the first reason wins. Malformed input is also counted.</summary>
    public void Fail(string reason, bool anomaly = true)
    {
        Result.Unknown ??= reason;
        if (anomaly) Report(reason);
    }

    public string? Query(string name)
    {
        if (_query is null)
        {
            _query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var form = FormUrlEncodedParser.Parse(Encoding.UTF8.GetBytes(RawQuery), 256);
            foreach (var f in form.Fields) _query.TryAdd(f.Name, f.Value);
        }
        return _query.TryGetValue(name, out var v) ? v : null;
    }

    /// <summary>
    /// The path's segments as a server would route them, so a client can't hide a send behind spelling: matrix
    /// parameters dropped (<c>/email;x=1</c>, Servlet-style servers ignore them), empty segments collapsed
    /// (<c>//email</c>), dot segments resolved (RFC 3986 §5.2.4), then percent-decoded.
    /// </summary>
    private static string[] NormalizedSegments(string rawPath)
    {
        // Calls to an API repeat a few paths (/email, /email/batch): a recent one's segments (never written to) serve
        // again, as the URL below.
        var cache = t_segments ??= new (string, string[])[RecentSlots];
        ref var slot = ref cache[(rawPath.GetHashCode() & int.MaxValue) % RecentSlots];
        if (slot.Segments is not null && string.Equals(slot.Path, rawPath, StringComparison.Ordinal)) return slot.Segments;
        var segments = SplitSegments(rawPath);
        slot = (rawPath, segments);
        return segments;
    }

    // The per-thread caches of recent paths and URLs: direct-mapped (the newest in a slot wins), RecentSlots entries each.
    private const int RecentSlots = 8;
    [ThreadStatic] private static (string Path, string[] Segments)[]? t_segments;
    [ThreadStatic] private static (string Host, string Target, string Url)[]? t_urls;

    private static string[] SplitSegments(string rawPath)
    {
        if (IsPlainPath(rawPath)) return rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var result = new List<string>();
        foreach (var raw in rawPath.Split('/'))
        {
            int semi = raw.IndexOf(';');
            var seg = Uri.UnescapeDataString(semi < 0 ? raw : raw[..semi]);
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == "..") { if (result.Count > 0) result.RemoveAt(result.Count - 1); continue; }
            result.Add(seg);
        }
        return result.ToArray();
    }

    // "/email", "/v3/mail/send": nothing to decode, drop or resolve (no '%', ';', '.', empty segment, '/' at the end).
    private static bool IsPlainPath(string rawPath) =>
        rawPath.Length > 1 && rawPath[0] == '/' && rawPath[^1] != '/' && rawPath.AsSpan().IndexOfAny('%', ';', '.') < 0
        && !rawPath.Contains("//", StringComparison.Ordinal);

    private static string HttpsUrl(string host, string target)
    {
        var cache = t_urls ??= new (string, string, string)[RecentSlots];
        ref var slot = ref cache[(HashCode.Combine(host, target) & int.MaxValue) % RecentSlots];
        if (slot.Url is not null && string.Equals(slot.Host, host, StringComparison.Ordinal) && string.Equals(slot.Target, target, StringComparison.Ordinal))
            return slot.Url;
        string url = "https://" + host + target;
        slot = (host, target, url);
        return url;
    }

    public bool PathIs(string path) => string.Equals(Path.TrimEnd('/'), path, StringComparison.OrdinalIgnoreCase);

    public static bool SegIs(string segment, string value) => string.Equals(segment, value, StringComparison.OrdinalIgnoreCase);

    // ---- bodies ----

    /// <summary>False (and <see cref="Result"/>.Unknown set) when the body is cut, undecodable or empty.</summary>
    public bool BodyUsable()
    {
        if (Request.BodyTruncated || Request.BodyDecodeError is not null)
        {
            Fail(MailApiUnknownReason.BodyTruncated);
            return false;
        }
        if (Request.Body.IsEmpty)
        {
            Fail(MailApiUnknownReason.EmptyBody);
            return false;
        }
        return true;
    }

    public bool TryJson(out JsonElement root) => BodyUsable() ? TryParseJson(Request.Body, out root) : Fail(out root);

    private static bool Fail(out JsonElement root)
    {
        root = default;
        return false;
    }

    public bool TryParseJson(ReadOnlyMemory<byte> bytes, out JsonElement root)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            // RFC 8259 §8.1 requires UTF-8; System.Text.Json would throw on reading such a string later.
            // Replace bad sequences with U+FFFD so every string reads.
            Report(MailApiAnomalies.InvalidUtf8);
            bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes.Span));
        }
        try
        {
            var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                MaxDepth = Options.MaxJsonDepth,
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            });
            if (_document is null) _document = doc;
            else (_moreDocuments ??= []).Add(doc);
            root = doc.RootElement;
            return true;
        }
        catch (JsonException)
        {
            Fail(MailApiUnknownReason.UnparseableJson);
            root = default;
            return false;
        }
    }

    public bool IsFormBody =>
        MediaType.Is("application/x-www-form-urlencoded") || MediaType.Is("multipart/form-data");

    /// <summary>Reads a urlencoded or multipart/form-data body; null (and Unknown set) when it can't be read.</summary>
    public FormFields? ReadForm()
    {
        if (!BodyUsable()) return null;
        if (MediaType.Is("multipart/form-data"))
        {
            var boundary = MediaType.Parameter("boundary");
            if (string.IsNullOrEmpty(boundary))
            {
                Fail(MailApiUnknownReason.MultipartMalformed);
                return null;
            }
            var parts = MultipartParser.Parse(Request.Body, boundary, Options.MaxMultipartParts, Anomalies, out bool malformed);
            if (malformed) Result.Unknown ??= MailApiUnknownReason.MultipartMalformed;
            var fields = new FormFields();
            foreach (var p in parts)
                if (p.Name is not null) fields.Fields.Add(new FormField(p.Name, p.Body, p.FileName, p.ContentType));
            if (fields.Count == 0)
            {
                Fail(MailApiUnknownReason.MultipartMalformed, anomaly: !malformed);
                return null;
            }
            return fields;
        }
        // urlencoded, or no/odd content type (curl -d sends urlencoded; some SDKs omit the header).
        var form = FormUrlEncodedParser.Parse(Request.Body.Span, Options.MaxFormFields, Anomalies);
        if (form.Count == 0)
        {
            Fail(MailApiUnknownReason.UnparseableForm);
            return null;
        }
        return form;
    }

    /// <summary>JSON, or a bracketed form (<see cref="FormJson"/>) seen as JSON.</summary>
    public bool TryJsonOrForm(out JsonElement root)
    {
        if (!IsFormBody) return TryJson(out root);
        var form = ReadForm();
        if (form is null) return Fail(out root);
        var node = FormJson.ToJson(form, Options.MaxJsonDepth);
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json)) node.WriteTo(writer);
        return TryParseJson(json.WrittenMemory, out root);
    }

    // ---- messages ----

    public bool CanEmit => Result.Messages.Count < Options.MaxMessagesPerRequest;

    /// <summary>Emits every object of a JSON array (batch endpoints), stopping at the message limit.</summary>
    public void EmitEach(JsonElement items, Func<JsonElement, MessageDraft> read)
    {
        // Room for the batch at once (up to the per-request cap), not grown through 4, 8, 16...
        if (items.ValueKind == JsonValueKind.Array)
            Result.Messages.EnsureCapacity(Math.Min(items.GetArrayLength(), Options.MaxMessagesPerRequest));
        foreach (var m in JsonRead.Items(items))
            if (JsonRead.IsObject(m) && !Emit(read(m))) break;
    }

    /// <summary>Adds the message if it has recipients and the per-request cap allows; returns false once the cap is hit.</summary>
    public bool Emit(MessageDraft d)
    {
        if (!d.HasRecipients)
        {
            Report(MailApiAnomalies.MessageWithoutRecipients);
            return true;
        }
        if (!CanEmit)
        {
            if (!_tooManyMessagesReported) Report(MailApiAnomalies.TooManyMessages);
            _tooManyMessagesReported = true;
            return false;
        }
        if (Result.Messages.Capacity == 0) Result.Messages.Capacity = 1; // the usual single message, not room for 4
        Result.Messages.Add(MailApiMessageFactory.Create(this, d));
        return true;
    }

    // ---- addresses ----

    /// <summary>
    /// Keeps <paramref name="a"/> while the message is under <see cref="MailApiOptions.MaxRecipientsPerMessage"/>;
    /// beyond it the address is not kept but its domain is (the draft's <see cref="MessageDraft.Cut"/>), so a denied
    /// Bcc as the 100,000th address still reaches the rules.
    /// </summary>
    private void Add(MessageDraft d, List<MailAddress> into, MailAddress a)
    {
        if (a.Address.Length == 0) return;
        if (d.AddressCount < Options.MaxRecipientsPerMessage)
        {
            into.Add(a);
            return;
        }
        if (d.CutOrNull is null) Report(MailApiAnomalies.TooManyRecipients);
        d.Cut.Add(a.Address, mayBeHidden: d.IsHiddenList(into));
    }

    /// <summary>An RFC 5322 address-list string ("A &lt;a@x&gt;, b@y").</summary>
    public void AddList(MessageDraft d, List<MailAddress> into, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        if (ImfOptions.MaxAddressesPerField > 0 && MimeAddresses.TrySimpleAddrSpec(value, out string? simple))
        {
            // The usual value, one bare addr-spec (as MimeAddresses.Parse takes it), without the one-element list.
            if (into.Count == 0) into.Capacity = 1;
            Add(d, into, new MailAddress(simple));
            return;
        }
        var list = MimeAddresses.Parse(value, ImfOptions, Anomalies, ref d.ImfCut, d.IsHiddenList(into));
        if (into.Count == 0) into.Capacity = Math.Min(list.Count, Options.MaxRecipientsPerMessage); // usually 1, not 4
        for (int i = 0; i < list.Count; i++) Add(d, into, list[i]);
    }

    /// <summary>
    /// An address value in any shape the APIs use: a list string, an array, an object {email|address, name},
    /// Graph's {emailAddress:{address,name}}, or SparkPost's {address: string | {email,name}}.
    /// </summary>
    public void AddJson(MessageDraft d, List<MailAddress> into, JsonElement v, int depth = 0)
    {
        if (depth > 4) return;
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                AddList(d, into, JsonRead.AsRecentString(v));
                return;
            case JsonValueKind.Array:
                foreach (var e in v.EnumerateArray()) AddJson(d, into, e, depth + 1);
                return;
            case JsonValueKind.Object:
                AddObject(d, into, v, depth);
                return;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return;
            default:
                Report(MailApiAnomalies.OddAddressValue);
                return;
        }
    }

    private void AddObject(MessageDraft d, List<MailAddress> into, JsonElement o, int depth)
    {
        if (JsonRead.TryProp(o, "emailAddress", out var inner))
        {
            AddJson(d, into, inner, depth + 1);
            return;
        }
        string? name = JsonRead.Str(o, "name");
        JsonElement addr = default;
        bool found = JsonRead.TryProp(o, "email", out addr) || JsonRead.TryProp(o, "address", out addr);
        if (!found)
        {
            Report(MailApiAnomalies.OddAddressValue);
            return;
        }
        if (addr.ValueKind == JsonValueKind.Object)
        {
            AddJson(d, into, addr, depth + 1);
            return;
        }
        string? email = JsonRead.AsRecentString(addr);
        if (string.IsNullOrWhiteSpace(email)) return;
        email = email.Trim();
        if (email.IndexOfAny(['<', ',', ';', '(', '"', ' ']) >= 0)
        {
            // "Name <a@b>" or a list inside an email field: parse it, keep the object's name when the string has none.
            var parsed = MimeAddresses.Parse(email, ImfOptions, Anomalies);
            foreach (var a in parsed)
                Add(d, into, a.DisplayName is null && name is not null && parsed.Count == 1 ? a with { DisplayName = name } : a);
            return;
        }
        Add(d, into, new MailAddress(email, string.IsNullOrEmpty(name) ? null : name));
    }

    /// <summary>Every property of that name (any case) read with <see cref="AddJson"/>.</summary>
    public void AddProp(MessageDraft d, List<MailAddress> into, JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return;
        foreach (var p in obj.EnumerateObject()) // JsonRead.Props without its enumerator object
            if (JsonRead.NameIs(p, name))
                AddJson(d, into, p.Value);
    }

    // ---- raw RFC 822 ----

    /// <summary>Fills the draft from the header block of a raw message (bytes up to the blank line, RFC 5322 §2.1).</summary>
    public void ReadRaw(MessageDraft d, ReadOnlySpan<byte> raw)
    {
        if (raw.Length > Options.MaxRawMessageBytes)
        {
            raw = raw[..Options.MaxRawMessageBytes];
            d.RawMessageCut = true;
            Report(MailApiAnomalies.RawMessageTooLarge);
        }
        var headerBlock = raw[..HeaderEnd(raw)];
        var h = MessageHeaders.Parse(headerBlock, ImfOptions, Anomalies);
        if (!h.EndOfHeaders && h.FieldCount == 0) Report(MailApiAnomalies.RawMessageNoHeaders);
        d.FromRawMessage = true;
        AddAll(d, d.From, h.From);
        d.Sender ??= h.Sender;
        AddAll(d, d.ReplyTo, h.ReplyTo);
        AddAll(d, d.To, h.To);
        AddAll(d, d.Cc, h.Cc);
        AddAll(d, d.Bcc, h.Bcc);
        AddAll(d, d.ResentTo, h.ResentTo);
        AddAll(d, d.ResentCc, h.ResentCc);
        AddAll(d, d.ResentBcc, h.ResentBcc);
        d.Subject ??= h.Subject;
        d.MessageId ??= h.MessageId;
        if (h.CutAddresses is { } cut) (d.ImfCut ??= new CutRecipients()).AddAll(cut);
    }

    /// <summary>A raw message held as a JSON/form string (Mandrill raw_message, SparkPost email_rfc822): only the
    /// header part is encoded to bytes.</summary>
    public void ReadRawText(MessageDraft d, string raw)
    {
        int end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        int lf = raw.IndexOf("\n\n", StringComparison.Ordinal);
        if (end < 0 || (lf >= 0 && lf < end)) end = lf < 0 ? raw.Length : lf + 2;
        else end += 4;
        end = Math.Min(end, Math.Min(raw.Length, Options.MaxRawMessageBytes));
        ReadRaw(d, Encoding.UTF8.GetBytes(raw, 0, end));
    }

    /// <summary>Base64 or base64url raw message. False (counted, Unknown=bad_base64_raw) when it doesn't decode.</summary>
    public bool ReadRawBase64(MessageDraft d, string? text)
    {
        if (string.IsNullOrEmpty(text) || !Base64Loose.TryDecode(text, Options.MaxRawMessageBytes, out var bytes, out bool cut))
        {
            Fail(MailApiUnknownReason.BadBase64Raw);
            return false;
        }
        if (cut)
        {
            d.RawMessageCut = true;
            Report(MailApiAnomalies.RawMessageTooLarge);
        }
        ReadRaw(d, bytes);
        return true;
    }

    private void AddAll(MessageDraft d, List<MailAddress> into, IReadOnlyList<MailAddress> list)
    {
        foreach (var a in list) Add(d, into, a);
    }

    /// <summary>Length of the header block including the empty line that ends it; the whole input when there is none.</summary>
    private static int HeaderEnd(ReadOnlySpan<byte> raw)
    {
        int crlf = raw.IndexOf("\r\n\r\n"u8);
        int lf = raw.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
        if (lf >= 0) return lf + 2;
        return raw.Length;
    }

    public void Dispose()
    {
        _document?.Dispose();
        _document = null;
        if (_moreDocuments is null) return;
        foreach (var d in _moreDocuments) d.Dispose();
        _moreDocuments.Clear();
    }
}
