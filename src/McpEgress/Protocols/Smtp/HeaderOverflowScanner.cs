using McpEgress.Mail;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Header bytes past <see cref="SmtpOptions.MaxHeaderBytes"/> are not kept, but a padded block must not hide a
/// recipient behind the cut: this reads them line by line (at most <see cref="MaxLine"/> bytes of a line at a time;
/// a longer line stays in its field),
/// and for the address fields (To, Cc, Bcc, Resent-To/Cc/Bcc and their folded continuation lines) records the domain
/// of every <c>@domain</c> in them into <see cref="CutRecipients"/>, Bcc ones as possibly hidden. Cheap: no address
/// parsing, no allocation per byte.
/// </summary>
internal sealed class HeaderOverflowScanner
{
    private const int MaxLine = 4096;
    private readonly byte[] _line = new byte[MaxLine];
    private int _length;
    private Field _field;
    private bool _restOfLine; // the window filled before the line ended: what follows belongs to the same field

    private enum Field : byte { Other, Visible, Hidden }

    public CutRecipients? Found { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int lf = bytes.IndexOf((byte)'\n');
            var part = lf < 0 ? bytes : bytes[..lf];
            int copied = Math.Min(MaxLine - _length, part.Length);
            part[..copied].CopyTo(_line.AsSpan(_length));
            _length += copied;
            if (copied < part.Length)
            {
                // The window filled inside a line: scan it, and keep reading the same line (and field) after it.
                Line(_line.AsSpan(0, _length));
                _restOfLine = true;
                _length = 0;
                bytes = bytes[copied..];
                continue;
            }
            if (lf < 0) return; // the line goes on in the next chunk
            Line(_line.AsSpan(0, _length));
            _restOfLine = false;
            _length = 0;
            bytes = bytes[(lf + 1)..];
        }
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return;
        if (!_restOfLine && line[0] is not ((byte)' ' or (byte)'\t'))
        {
            int colon = line.IndexOf((byte)':');
            var name = colon < 0 ? default : line[..colon].Trim((byte)' ');
            _field = Is(name, "Bcc"u8) || Is(name, "Resent-Bcc"u8) ? Field.Hidden
                : Is(name, "To"u8) || Is(name, "Cc"u8) || Is(name, "Resent-To"u8) || Is(name, "Resent-Cc"u8) ? Field.Visible
                : Field.Other;
            if (_field == Field.Other) return;
            line = line[(colon + 1)..];
        }
        if (_field == Field.Other) return;
        for (int at = line.IndexOf((byte)'@'); at >= 0; )
        {
            int end = at + 1;
            while (end < line.Length && (char.IsAsciiLetterOrDigit((char)line[end]) || line[end] is (byte)'.' or (byte)'-' || line[end] >= 0x80)) end++;
            if (end > at + 1)
                (Found ??= new CutRecipients()).Add("x@" + System.Text.Encoding.UTF8.GetString(line[(at + 1)..end]), _field == Field.Hidden);
            int next = line[end..].IndexOf((byte)'@');
            at = next < 0 ? -1 : end + next;
        }
    }

    private static bool Is(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => System.Text.Ascii.EqualsIgnoreCase(a, b);
}
