using System.Text;

namespace McpEgress.Inventory.Instrument;

/// <summary>A unified diff (<c>diff -u</c>, 3 lines of context) of two texts, for <c>patch -p0</c> and for reading.</summary>
public static class UnifiedDiff
{
    private const int Context = 3;
    private const int MaxMiddleLines = 4000; // beyond this (both sides) the changed middle is one hunk, not an LCS

    /// <summary>Empty when the texts are equal.</summary>
    public static string Create(string path, string before, string after)
    {
        if (before == after) return "";
        var a = SplitLines(before);
        var b = SplitLines(after);
        var ops = Edits(a, b); // ' ', '-', '+' with the line
        var sb = new StringBuilder();
        sb.Append("--- ").Append(path).Append('\n').Append("+++ ").Append(path).Append('\n');
        int i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Op == ' ') { i++; continue; }
            int start = Math.Max(0, i - Context), end = i;
            // extend over changes separated by at most 2*Context unchanged lines
            while (true)
            {
                while (end < ops.Count && ops[end].Op != ' ') end++;
                int next = end;
                while (next < ops.Count && ops[next].Op == ' ') next++;
                if (next < ops.Count && next - end <= 2 * Context) { end = next; continue; }
                end = Math.Min(ops.Count, end + Context);
                break;
            }
            int aLine = 1 + ops.Take(start).Count(o => o.Op != '+'), bLine = 1 + ops.Take(start).Count(o => o.Op != '-');
            int aCount = ops.Skip(start).Take(end - start).Count(o => o.Op != '+'), bCount = ops.Skip(start).Take(end - start).Count(o => o.Op != '-');
            sb.Append($"@@ -{Range(aLine, aCount)} +{Range(bLine, bCount)} @@\n");
            for (int k = start; k < end; k++)
            {
                var (op, line, newline) = ops[k];
                sb.Append(op).Append(line).Append('\n');
                if (!newline) sb.Append("\\ No newline at end of file\n");
            }
            i = end;
        }
        return sb.ToString();
    }

    private static string Range(int line, int count) => count == 1 ? $"{line}" : count == 0 ? $"{line - 1},0" : $"{line},{count}";

    private static List<(string Line, bool Newline)> SplitLines(string s)
    {
        var lines = new List<(string, bool)>();
        int at = 0;
        while (at < s.Length)
        {
            int nl = s.IndexOf('\n', at);
            if (nl < 0) { lines.Add((s[at..], false)); break; }
            lines.Add((s[at..nl], true));
            at = nl + 1;
        }
        return lines;
    }

    private static List<(char Op, string Line, bool Newline)> Edits(List<(string Line, bool Newline)> a, List<(string Line, bool Newline)> b)
    {
        int prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix]) prefix++;
        int suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[^(suffix + 1)] == b[^(suffix + 1)]) suffix++;
        var ops = new List<(char, string, bool)>();
        for (int k = 0; k < prefix; k++) ops.Add((' ', a[k].Line, a[k].Newline));
        var am = a.GetRange(prefix, a.Count - prefix - suffix);
        var bm = b.GetRange(prefix, b.Count - prefix - suffix);
        if (am.Count > MaxMiddleLines || bm.Count > MaxMiddleLines)
        {
            ops.AddRange(am.Select(l => ('-', l.Line, l.Newline)));
            ops.AddRange(bm.Select(l => ('+', l.Line, l.Newline)));
        }
        else
        {
            // LCS table over the changed middle
            var lcs = new int[am.Count + 1, bm.Count + 1];
            for (int x = am.Count - 1; x >= 0; x--)
                for (int y = bm.Count - 1; y >= 0; y--)
                    lcs[x, y] = am[x] == bm[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
            int p = 0, q = 0;
            while (p < am.Count || q < bm.Count)
            {
                if (p < am.Count && q < bm.Count && am[p] == bm[q]) { ops.Add((' ', am[p].Line, am[p].Newline)); p++; q++; }
                else if (p < am.Count && (q == bm.Count || lcs[p + 1, q] >= lcs[p, q + 1])) { ops.Add(('-', am[p].Line, am[p].Newline)); p++; }
                else { ops.Add(('+', bm[q].Line, bm[q].Newline)); q++; }
            }
        }
        for (int k = a.Count - suffix; k < a.Count; k++) ops.Add((' ', a[k].Line, a[k].Newline));
        return ops;
    }
}
