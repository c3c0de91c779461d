using System.Collections.Concurrent;
using System.Text;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// <see cref="CodePagesEncodingProvider"/> (windows-1252 and the other legacy charsets MimeKit decodes) behind a
/// lock-free cache of its answers by code page. Once a provider is registered, <see cref="Encoding.GetEncoding(int)"/>
/// asks it first for every code page, UTF-8 included, and CodePagesEncodingProvider takes a lock on each call; MimeKit
/// looks an encoding up for every angle-addr mailbox it parses ("Name &lt;a@b&gt;"), so that lock was taken several
/// times per message on every shard worker. The answers are the provider's own (it caches its Encoding objects too);
/// at most <see cref="MaxEntries"/> code pages are kept (a charset name in a header can name any number), the rest are
/// asked of the provider each time.
/// </summary>
internal sealed class CachedCodePages : EncodingProvider
{
    private const int MaxEntries = 64;
    private static readonly EncodingProvider Inner = CodePagesEncodingProvider.Instance;
    private readonly ConcurrentDictionary<int, Encoding?> _byCodePage = new();

    public static CachedCodePages Instance { get; } = new();

    private CachedCodePages() { }

    public override Encoding? GetEncoding(int codepage)
    {
        if (_byCodePage.TryGetValue(codepage, out var cached)) return cached;
        var encoding = Inner.GetEncoding(codepage);
        if (_byCodePage.Count < MaxEntries) _byCodePage.TryAdd(codepage, encoding);
        return encoding;
    }

    public override Encoding? GetEncoding(string name) => Inner.GetEncoding(name);

    public override Encoding? GetEncoding(int codepage, EncoderFallback encoderFallback, DecoderFallback decoderFallback) =>
        Inner.GetEncoding(codepage, encoderFallback, decoderFallback);

    public override Encoding? GetEncoding(string name, EncoderFallback encoderFallback, DecoderFallback decoderFallback) =>
        Inner.GetEncoding(name, encoderFallback, decoderFallback);

    public override IEnumerable<EncodingInfo> GetEncodings() => Inner.GetEncodings();
}
