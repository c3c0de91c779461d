using System.Buffers;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Imf;

/// <summary>The working state of one <see cref="AddressListParser"/> call: the token array and the cursor.</summary>
internal struct AddressListState : IDisposable
{
    private enum Kind : byte { Atom, Quoted, Literal, Special }

    private struct Token
    {
        public Kind Kind;
        public char Special;
        public bool SpaceBefore; // whitespace or a comment before it (CFWS)
        public int Start;        // raw text; for Quoted the content between the quotes, still escaped
        public int End;
    }

    private readonly string _s;
    private readonly List<MailAddress> _into;
    private readonly ImfOptions _o;
    private readonly IAnomalySink? _anomalies;
    private Token[] _tokens;
    private int _count;
    private int _reported; // one bit per anomaly name, so a hostile field reports each name once
    private bool _full;

    public AddressListState(string s, List<MailAddress> into, ImfOptions o, IAnomalySink? anomalies)
    {
        _s = s;
        _into = into;
        _o = o;
        _anomalies = anomalies;
        _tokens = ArrayPool<Token>.Shared.Rent(Math.Max(16, s.Length / 4)); // grows in Add
        _count = 0;
        _reported = 0;
        _full = into.Count >= o.MaxAddressesPerField;
    }

    public void Dispose()
    {
        if (_tokens.Length > 0) ArrayPool<Token>.Shared.Return(_tokens);
        _tokens = [];
    }

    // Anomaly names, each a bit in _reported.
    private static readonly string[] Names =
    [
        "unterminated_comment", "comment_too_deep", "unterminated_quoted_string", "unterminated_domain_literal",
        "unbalanced_parenthesis", "unexpected_character", "address_without_domain", "empty_domain",
        "obs_route", "unterminated_angle_addr", "empty_angle_addr", "empty_local_part", "text_after_address",
        "group_too_deep", "unbalanced_semicolon", "too_many_addresses", "unquoted_comma_in_display_name",
        "local_part_with_spaces", "unterminated_group", "addr_spec_before_angle_addr",
    ];

    private void Flag(string name)
    {
        int bit = Array.IndexOf(Names, name);
        if (bit < 0 || (_reported & (1 << bit)) != 0) return;
        _reported |= 1 << bit;
        _anomalies?.Report(AnomalyStage.Imf, name);
    }

    public void Run()
    {
        if (_full)
        {
            if (_s.Length > 0) Flag("too_many_addresses");
            return;
        }
        Tokenize();
        int i = 0, groupDepth = 0;
        int n = _count;
        while (i < n && !_full)
        {
            if (IsSpecial(i, ',')) { i++; continue; }
            if (IsSpecial(i, ';'))
            {
                if (groupDepth > 0) groupDepth--;
                else Flag("unbalanced_semicolon");
                i++;
                continue;
            }

            int ps = i;
            while (i < n && IsWord(i)) i++;

            if (i < n && IsSpecial(i, ':'))
            {
                // §3.4 group: display-name ":" [group-list] ";" — members are flattened.
                groupDepth++;
                if (groupDepth > 1 && groupDepth > _o.MaxNestingDepth) Flag("group_too_deep");
                i++;
                continue;
            }
            if (i < n && IsSpecial(i, '<'))
            {
                ParseAngle(ref i, ps == i ? null : Phrase(ps, i));
                AfterMailbox(ref i);
                continue;
            }
            if (i < n && IsSpecial(i, '@'))
            {
                int localEnd = i;
                i++;
                string domain = Domain(ref i);
                if (i < n && IsSpecial(i, '<'))
                {
                    // "a@x <b@y>": the first addr-spec is really an unquoted display name (loose, like MimeKit).
                    Flag("addr_spec_before_angle_addr");
                    ParseAngle(ref i, Phrase(ps, i));
                }
                else
                {
                    Emit(ps, localEnd, domain, hasAt: true, name: null);
                }
                AfterMailbox(ref i);
                continue;
            }
            if (ps == i)
            {
                // '>' or a domain literal where an address should start.
                Flag("unexpected_character");
                i++;
                continue;
            }

            // A phrase that ends at ',', ';', the end or junk: an address without a domain, or (loose) the first
            // part of a display name with unquoted commas: "Smith, John <j@x>".
            int k = i;
            if (!_o.Strict)
            {
                while (k < n && IsSpecial(k, ','))
                {
                    int s2 = k + 1, e2 = s2;
                    while (e2 < n && IsWord(e2)) e2++;
                    if (e2 == s2) break;
                    if (e2 < n && IsSpecial(e2, '<'))
                    {
                        Flag("unquoted_comma_in_display_name");
                        i = e2;
                        ParseAngle(ref i, Phrase(ps, e2));
                        AfterMailbox(ref i);
                        goto next;
                    }
                    if (e2 < n && IsSpecial(e2, ',')) { k = e2; continue; }
                    break;
                }
            }
            // Not merged: every comma-separated phrase in [ps, k) is an address without a domain.
            for (int a = ps; a < k && !_full;)
            {
                int b = a;
                while (b < k && !IsSpecial(b, ',')) b++;
                if (b > a) Emit(a, b, string.Empty, hasAt: false, name: null);
                a = b + 1;
            }
            i = k;
        next:;
        }
        if (groupDepth > 0) Flag("unterminated_group");
    }

    // angle-addr = "<" [obs-route] addr-spec ">"   (§3.4, §4.4 obs-route = obs-domain-list ":")
    private void ParseAngle(ref int i, string? name)
    {
        int n = _count;
        i++; // '<'
        if (i < n && IsSpecial(i, '@'))
        {
            int j = i;
            while (j < n && !IsSpecial(j, ':') && !IsSpecial(j, '>') && !IsSpecial(j, '<')) j++;
            if (j < n && IsSpecial(j, ':'))
            {
                Flag("obs_route");
                i = j + 1;
            }
        }
        int ls = i;
        while (i < n && IsWord(i)) i++;
        int le = i;
        bool hasAt = false;
        string domain = string.Empty;
        if (i < n && IsSpecial(i, '@'))
        {
            hasAt = true;
            i++;
            domain = Domain(ref i);
        }
        if (i < n && IsSpecial(i, '>'))
        {
            i++;
        }
        else
        {
            Flag("unterminated_angle_addr");
            // Skip junk up to the closing '>', but never past the next address.
            int j = i;
            while (j < n && !IsSpecial(j, '>') && !IsSpecial(j, ',') && !IsSpecial(j, ';') && !IsSpecial(j, '<')) j++;
            i = j < n && IsSpecial(j, '>') ? j + 1 : j;
        }
        if (ls == le && !hasAt)
        {
            Flag("empty_angle_addr"); // "<>": the null reverse-path, nobody to deliver to
            return;
        }
        Emit(ls, le, domain, hasAt, name);
    }

    // Skips words after a complete mailbox unless they start the next one (a missing comma, §4.4 leniency).
    private void AfterMailbox(ref int i)
    {
        int n = _count, j = i;
        while (j < n && (IsWord(j) || _tokens[j].Kind == Kind.Literal)) j++;
        if (j == i) return;
        if (j < n && (IsSpecial(j, '@') || IsSpecial(j, '<') || IsSpecial(j, ':'))) return;
        Flag("text_after_address");
        i = j;
    }

    // domain = dot-atom / domain-literal / obs-domain (atoms with CFWS around the dots).
    private string Domain(ref int i)
    {
        int n = _count;
        if (i < n && _tokens[i].Kind == Kind.Literal)
        {
            var lt = _tokens[i++];
            // An unterminated literal is closed, as Python's getaddresses does.
            return _s[lt.End - 1] == ']' && lt.End - lt.Start > 1 ? _s[lt.Start..lt.End] : _s[lt.Start..lt.End] + "]";
        }
        if (i >= n || _tokens[i].Kind != Kind.Atom) return string.Empty;
        int first = i;
        i++;
        while (i < n && _tokens[i].Kind == Kind.Atom
               && (!_tokens[i].SpaceBefore || _s[_tokens[i - 1].End - 1] == '.' || _s[_tokens[i].Start] == '.'))
            i++;
        if (i == first + 1) return _s[_tokens[first].Start.._tokens[first].End];
        var sb = new StringBuilder();
        for (int k = first; k < i; k++) sb.Append(_s, _tokens[k].Start, _tokens[k].End - _tokens[k].Start);
        return sb.ToString();
    }

    private void Emit(int ls, int le, string domain, bool hasAt, string? name)
    {
        if (ls == le)
        {
            Flag("empty_local_part");
            return;
        }
        if (!hasAt)
        {
            Flag("address_without_domain");
            if (_o.Strict) return;
        }
        else if (domain.Length == 0)
        {
            Flag("empty_domain");
        }
        if (_into.Count >= _o.MaxAddressesPerField)
        {
            Flag("too_many_addresses");
            _full = true;
            return;
        }
        string local = LocalPart(ls, le);
        if (local.Length == 0)
        {
            Flag("empty_local_part");
            return;
        }
        string address = hasAt ? local + "@" + domain : local;
        _into.Add(new MailAddress(address, string.IsNullOrEmpty(name) ? null : name));
    }

    // local-part = dot-atom / quoted-string / obs-local-part (words joined by dots, CFWS allowed around them).
    // Rendered like Python's Address.addr_spec: unquoted, re-quoted only if it needs quotes.
    private string LocalPart(int ls, int le)
    {
        if (le == ls + 1 && _tokens[ls].Kind == Kind.Atom) return Quote(_s[_tokens[ls].Start.._tokens[ls].End]);
        var sb = new StringBuilder();
        bool spaces = false;
        for (int k = ls; k < le; k++)
        {
            var t = _tokens[k];
            if (k > ls && t.SpaceBefore && sb.Length > 0 && sb[^1] != '.' && !(t.Kind == Kind.Atom && _s[t.Start] == '.'))
            {
                sb.Append(' ');
                spaces = true;
            }
            AppendContent(sb, t);
        }
        if (spaces) Flag("local_part_with_spaces");
        return Quote(sb.ToString());
    }

    private static string Quote(string local)
    {
        foreach (char c in local)
        {
            if (c is ' ' or '\t' or '(' or ')' or '<' or '>' or '@' or ',' or ':' or ';' or '\\' or '"' or '[' or ']')
                return "\"" + local.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }
        return local;
    }

    // display-name = phrase (words, obs-phrase dots, and loose commas), unquoted, encoded-words decoded.
    private string Phrase(int ps, int pe)
    {
        var sb = new StringBuilder();
        for (int k = ps; k < pe; k++)
        {
            var t = _tokens[k];
            if (k > ps && t.SpaceBefore && sb.Length > 0) sb.Append(' ');
            if (t.Kind == Kind.Special)
            {
                // A loose comma; '@' from "a@x <b@y>".
                sb.Append(t.Special);
                continue;
            }
            AppendContent(sb, t);
        }
        return EncodedWordDecoder.Decode(sb.ToString(), _anomalies).Trim();
    }

    private void AppendContent(StringBuilder sb, Token t)
    {
        if (t.Kind != Kind.Quoted)
        {
            sb.Append(_s, t.Start, t.End - t.Start);
            return;
        }
        for (int k = t.Start; k < t.End; k++)
        {
            char c = _s[k];
            if (c == '\\' && k + 1 < t.End) c = _s[++k];
            else if (c == '\\') continue;
            sb.Append(c);
        }
    }

    private readonly bool IsWord(int i) => _tokens[i].Kind is Kind.Atom or Kind.Quoted;

    private readonly bool IsSpecial(int i, char c) => _tokens[i].Kind == Kind.Special && _tokens[i].Special == c;

    private static bool IsWsp(char c) => c is ' ' or '\t' or '\r' or '\n';

    private void Add(Kind kind, int start, int end, bool space, char special = '\0')
    {
        if (_count == _tokens.Length)
        {
            var bigger = ArrayPool<Token>.Shared.Rent(_tokens.Length * 2);
            Array.Copy(_tokens, bigger, _count);
            ArrayPool<Token>.Shared.Return(_tokens);
            _tokens = bigger;
        }
        _tokens[_count++] = new Token { Kind = kind, Start = start, End = end, SpaceBefore = space, Special = special };
    }

    // One pass over the text (§3.2): whitespace and comments become a flag on the next token.
    private void Tokenize()
    {
        string s = _s;
        int n = s.Length, i = 0;
        bool space = false;
        while (i < n)
        {
            char c = s[i];
            if (IsWsp(c)) { space = true; i++; continue; }
            switch (c)
            {
                case '(':
                {
                    // §3.2.2 comments nest; counted, not recursed.
                    int depth = 0;
                    while (i < n)
                    {
                        char d = s[i];
                        if (d == '\\') { i += 2; continue; }
                        if (d == '(' && ++depth > _o.MaxNestingDepth) Flag("comment_too_deep");
                        else if (d == ')' && --depth == 0) { i++; break; }
                        i++;
                    }
                    if (depth > 0) { Flag("unterminated_comment"); i = n; }
                    space = true;
                    continue;
                }
                case ')':
                    Flag("unbalanced_parenthesis");
                    space = true;
                    i++;
                    continue;
                case '"':
                {
                    int start = ++i;
                    while (i < n && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
                    int end = Math.Min(i, n);
                    if (i >= n) Flag("unterminated_quoted_string");
                    else i++;
                    Add(Kind.Quoted, start, end, space);
                    space = false;
                    continue;
                }
                case '[':
                {
                    int start = i++;
                    while (i < n && s[i] != ']' && s[i] != '[') i += s[i] == '\\' ? 2 : 1;
                    i = Math.Min(i, n);
                    if (i < n && s[i] == ']') i++;
                    else Flag("unterminated_domain_literal");
                    Add(Kind.Literal, start, i, space);
                    space = false;
                    continue;
                }
                case ']':
                    Flag("unexpected_character");
                    i++;
                    continue;
                case '<' or '>' or '@' or ',' or ';' or ':':
                    Add(Kind.Special, i, i + 1, space, c);
                    space = false;
                    i++;
                    continue;
                default:
                {
                    int start = i;
                    while (i < n && !IsWsp(s[i]) && "()<>[]@,;:\"".IndexOf(s[i]) < 0) i++;
                    Add(Kind.Atom, start, i, space);
                    space = false;
                    continue;
                }
            }
        }
    }
}
