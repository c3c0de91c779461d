using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Message content after DATA (dot-stuffed, ended by CRLF.CRLF, RFC 5321 §4.5.2) or inside BDAT chunks (binary,
/// RFC 3030). Resumable at any byte; state lives in the transaction. Bare LF is accepted as a line end, loosely.
/// The header block is everything before the first empty line.
/// </summary>
internal static class SmtpContentParser
{
    private static readonly byte[] Cr = [(byte)'\r'];
    private static readonly byte[] Lf = [(byte)'\n'];
    private static readonly byte[] CrLf = [(byte)'\r', (byte)'\n'];

    /// <summary>Consumes content; sets <paramref name="ended"/> and stops right after the terminator (DATA only).</summary>
    public static int Feed(SmtpTransactionBuilder tx, ReadOnlySpan<byte> data, bool dotStuffed, IAnomalySink anomalies, out bool ended)
    {
        ended = false;
        tx.ContentStarted = true;
        int i = 0;
        while (i < data.Length)
        {
            byte b = data[i];
            switch (tx.ContentState)
            {
                case SmtpContentState.LineStart:
                    if (b == '.' && dotStuffed) { tx.ContentState = SmtpContentState.Dot; i++; }
                    else if (b == '\r') { tx.ContentState = SmtpContentState.Cr; i++; }
                    else if (b == '\n')
                    {
                        // Bare-LF empty line.
                        tx.InHeaders = false;
                        ReportBareLf(tx, anomalies);
                        tx.AppendContent(Lf, anomalies);
                        tx.LastContentByte = b;
                        i++;
                    }
                    else tx.ContentState = SmtpContentState.MidLine;
                    break;

                case SmtpContentState.Dot:
                    if (b == '\r') { tx.ContentState = SmtpContentState.DotCr; i++; }
                    else if (b == '\n')
                    {
                        ReportBareLf(tx, anomalies);
                        ended = true;
                        return i + 1;
                    }
                    else tx.ContentState = SmtpContentState.MidLine; // §4.5.2: the leading dot is removed
                    break;

                case SmtpContentState.DotCr:
                    if (b == '\n')
                    {
                        ended = true;
                        return i + 1;
                    }
                    tx.AppendContent(Cr, anomalies);
                    tx.LastContentByte = (byte)'\r';
                    tx.ContentState = SmtpContentState.MidLine;
                    break;

                case SmtpContentState.Cr:
                    if (b == '\n')
                    {
                        tx.InHeaders = false;
                        tx.AppendContent(CrLf, anomalies);
                        tx.LastContentByte = b;
                        tx.ContentState = SmtpContentState.LineStart;
                        i++;
                    }
                    else
                    {
                        tx.AppendContent(Cr, anomalies);
                        tx.LastContentByte = (byte)'\r';
                        tx.ContentState = SmtpContentState.MidLine;
                    }
                    break;

                default:
                {
                    var rest = data[i..];
                    int lf = rest.IndexOf((byte)'\n');
                    if (lf < 0)
                    {
                        tx.AppendContent(rest, anomalies);
                        tx.LastContentByte = rest[^1];
                        return data.Length;
                    }
                    byte before = lf > 0 ? rest[lf - 1] : tx.LastContentByte;
                    if (before != '\r') ReportBareLf(tx, anomalies);
                    tx.AppendContent(rest[..(lf + 1)], anomalies);
                    tx.LastContentByte = (byte)'\n';
                    tx.ContentState = SmtpContentState.LineStart;
                    i += lf + 1;
                    break;
                }
            }
        }
        return i;
    }

    /// <summary>After a gap the position in the line is unknown: wait for the next LF before trusting a line start.</summary>
    public static void AfterGap(SmtpTransactionBuilder tx, long missingBytes)
    {
        tx.Incomplete = true;
        tx.InHeaders = false;
        tx.MessageBytes += missingBytes;
        tx.LastContentByte = 0;
        tx.ContentState = SmtpContentState.MidLine;
    }

    private static void ReportBareLf(SmtpTransactionBuilder tx, IAnomalySink anomalies)
    {
        if (tx.BareLfReported) return;
        tx.BareLfReported = true;
        anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.BareLf);
    }
}
