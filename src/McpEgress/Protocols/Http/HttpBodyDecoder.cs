using System.IO.Compression;
using System.Runtime.InteropServices;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Removes the content coding (RFC 9110 §8.4) of a collected body: gzip, deflate (zlib, or raw deflate as some
/// senders use), br; identity passes through. Output is capped at <see cref="HttpOptions.MaxDecompressedBodyBytes"/>
/// so a small bomb cannot expand without bound. Never throws on bad input.
/// </summary>
internal static class HttpBodyDecoder
{
    public static void DecodeInto(HttpRequestRecord record, ReadOnlyMemory<byte> raw, HttpOptions options, IAnomalySink anomalies)
    {
        record.Body = raw;
        var encoding = record.ContentEncoding;
        if (string.IsNullOrWhiteSpace(encoding) || raw.IsEmpty)
            return;

        // Codings are listed in the order applied; undo them last to first.
        var codings = encoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var current = raw;
        for (int i = codings.Length - 1; i >= 0; i--)
        {
            string coding = codings[i].ToLowerInvariant();
            if (coding == "identity")
                continue;
            if (coding is not ("gzip" or "x-gzip" or "deflate" or "br"))
            {
                anomalies.Report(AnomalyStage.Http, HttpAnomalies.UnsupportedContentEncoding);
                record.BodyDecodeError = "unsupported content-encoding";
                record.Body = current;
                return;
            }
            var result = Inflate(coding, current, options.MaxDecompressedBodyBytes, out bool overLimit, out string? error);
            if (error is not null && coding == "deflate")
            {
                // RFC 9110 says zlib framing, but raw deflate is common in the wild.
                var retry = Inflate("raw-deflate", current, options.MaxDecompressedBodyBytes, out bool over2, out string? error2);
                if (error2 is null)
                {
                    result = retry;
                    overLimit = over2;
                    error = null;
                }
            }
            if (overLimit)
            {
                anomalies.Report(AnomalyStage.Http, HttpAnomalies.DecompressedBodyLimit);
                record.BodyTruncated = true;
            }
            if (error is not null)
            {
                anomalies.Report(AnomalyStage.Http, coding switch { "br" => HttpAnomalies.BrInvalid, "deflate" => HttpAnomalies.DeflateInvalid, _ => HttpAnomalies.GzipInvalid });
                record.BodyDecodeError = error;
                record.Body = result;
                return;
            }
            current = result;
        }
        record.Body = current;
    }

    private static ReadOnlyMemory<byte> Inflate(string coding, ReadOnlyMemory<byte> input, int max, out bool overLimit, out string? error)
    {
        overLimit = false;
        error = null;
        var output = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        try
        {
            using var src = MemoryMarshal.TryGetArray(input, out var seg)
                ? new MemoryStream(seg.Array!, seg.Offset, seg.Count, writable: false)
                : new MemoryStream(input.ToArray(), writable: false);
            using Stream z = coding switch
            {
                "br" => new BrotliStream(src, CompressionMode.Decompress),
                "deflate" => new ZLibStream(src, CompressionMode.Decompress),
                "raw-deflate" => new DeflateStream(src, CompressionMode.Decompress),
                _ => new GZipStream(src, CompressionMode.Decompress),
            };
            while (true)
            {
                // Ask for at most one byte past the cap: enough to know the cap was exceeded.
                int want = (int)Math.Min(chunk.Length, (long)max + 1 - output.Length);
                int n = z.Read(chunk, 0, want);
                if (n == 0)
                    break;
                output.Write(chunk, 0, n);
                if (output.Length > max)
                {
                    overLimit = true;
                    output.SetLength(max);
                    break;
                }
            }
        }
        catch (InvalidDataException)
        {
            error = (coding == "x-gzip" ? "gzip" : coding == "raw-deflate" ? "deflate" : coding) + ": invalid data";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // BrotliStream reports bad input as InvalidOperationException.
            error = (coding == "raw-deflate" ? "deflate" : coding) + ": invalid data";
        }
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }
}
