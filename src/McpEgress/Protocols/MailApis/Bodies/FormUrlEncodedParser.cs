using McpEgress.Diagnostics;

namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// application/x-www-form-urlencoded (WHATWG URL §5.1): fields split at '&amp;', name and value at the first '=',
/// '+' is a space, %XX a byte; a malformed escape is kept literally (as browsers do). Repeated names are kept.
/// Linear, never throws.
/// </summary>
public static class FormUrlEncodedParser
{
    public static FormFields Parse(ReadOnlySpan<byte> body, int maxFields, IAnomalySink? anomalies = null)
    {
        var result = new FormFields();
        var buffer = new byte[body.Length];
        int i = 0;
        while (i < body.Length)
        {
            int amp = body[i..].IndexOf((byte)'&');
            var pair = amp < 0 ? body[i..] : body.Slice(i, amp);
            i = amp < 0 ? body.Length : i + amp + 1;
            if (pair.IsEmpty) continue;
            if (result.Count >= maxFields)
            {
                anomalies?.Report(AnomalyStage.MailApi, MailApiAnomalies.TooManyFormFields);
                break;
            }
            int eq = pair.IndexOf((byte)'=');
            var rawName = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? ReadOnlySpan<byte>.Empty : pair[(eq + 1)..];
            int n = Decode(rawName, buffer);
            string name = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
            n = Decode(rawValue, buffer);
            result.Fields.Add(new FormField(name, buffer.AsSpan(0, n).ToArray()));
        }
        return result;
    }

    /// <summary>Percent-decodes <paramref name="s"/> into <paramref name="into"/> (never longer than the input).</summary>
    public static int Decode(ReadOnlySpan<byte> s, Span<byte> into)
    {
        int o = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == '+')
            {
                into[o++] = (byte)' ';
            }
            else if (b == '%' && i + 2 < s.Length && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0)
            {
                into[o++] = (byte)(Hex(s[i + 1]) << 4 | Hex(s[i + 2]));
                i += 2;
            }
            else
            {
                into[o++] = b;
            }
        }
        return o;
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
