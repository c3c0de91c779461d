using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Smtp;

namespace McpEgress.Tests.Imf;

/// <summary>
/// The fast path for a bare addr-spec must take exactly the dot-atom addresses every parser reads alike, and leave
/// everything else (names, quotes, comments, lists, IDN, malformed dots) to MimeKit; the header-overflow scanner must
/// find address-field domains across any cut of its input, and nothing in other fields.
/// </summary>
public sealed class SimpleAddrSpecTests
{
    [Theory]
    [InlineData("a@b.example", "a@b.example")]
    [InlineData("  first.last+tag@sub.b-c.example\r\n", "first.last+tag@sub.b-c.example")]
    [InlineData("o'neil{x}@b.example", "o'neil{x}@b.example")]
    [InlineData("a@b.example.", null)]           // trailing dot: MimeKit drops it
    [InlineData(".a@b.example", null)]
    [InlineData("a..b@b.example", null)]
    [InlineData("a@b..example", null)]
    [InlineData("A <a@b.example>", null)]
    [InlineData("\"a b\"@b.example", null)]
    [InlineData("a@b.example (Name)", null)]
    [InlineData("a@b.example, c@d.example", null)]
    [InlineData("a@b@c.example", null)]
    [InlineData("a@", null)]
    [InlineData("@b.example", null)]
    [InlineData("a@bücher.example", null)]       // IDN: MimeKit decides its form
    [InlineData("", null)]
    public void FastPathTakesOnlyPlainDotAtoms(string raw, string? expected)
    {
        bool simple = MimeAddresses.TrySimpleAddrSpec(System.Text.Encoding.UTF8.GetBytes(raw), out var address);
        Assert.Equal(expected is not null, simple);
        Assert.Equal(expected, address);
    }

    [Fact]
    public void FastPathAndMimeKitAgree()
    {
        foreach (var a in new[] { "a@b.example", "x_y-z@mail.example.org", "1@2.example" })
            Assert.Equal(a, Assert.Single(MimeAddresses.Parse(" " + a + " ")).Address);
    }

    [Theory]
    [InlineData("MCP Agent <mcp@corp.example>", "mcp@corp.example", "MCP Agent")]
    [InlineData(" Alice <alice@customer.example>\r\n", "alice@customer.example", "Alice")]
    [InlineData("<a@b.example>", "a@b.example", null)]
    [InlineData("O'Neil #1 <o'neil{x}@b.example>", "o'neil{x}@b.example", "O'Neil #1")]
    [InlineData("John  Smith <j@b.example>", null, null)]   // two spaces: MimeKit's
    [InlineData("John Smith<j@b.example>", null, null)]
    [InlineData("\"John\" <j@b.example>", null, null)]
    [InlineData("John Q. Public <j@b.example>", null, null)]
    [InlineData("=?utf-8?q?Jos=C3=A9?= <j@b.example>", null, null)]
    [InlineData("John (c) <j@b.example>", null, null)]
    [InlineData("John\r\n Smith <j@b.example>", null, null)]
    [InlineData("John <j@xn--bcher-kva.example>", null, null)]
    [InlineData("John <j@b.XN--bcher-kva.example>", null, null)]
    [InlineData("John <j@b.example> x", null, null)]
    [InlineData("John <j@b.example>>", null, null)]
    [InlineData("John <j@b.example>, b@c.example", null, null)]
    [InlineData("John <j@@b.example>", null, null)]
    [InlineData("John <>", null, null)]
    [InlineData("José <j@b.example>", null, null)]
    public void MailboxFastPathTakesOnlyPlainNamesAndDotAtoms(string raw, string? address, string? name)
    {
        bool simple = MimeAddresses.TrySimpleMailbox(System.Text.Encoding.UTF8.GetBytes(raw), out var a, out var n);
        Assert.Equal(address is not null, simple);
        Assert.Equal(address, a);
        Assert.Equal(name, n);
    }

    /// <summary>Whatever the mailbox fast path takes, MimeKit reads as the same one name and address.</summary>
    [Fact]
    public void MailboxFastPathAndMimeKitAgree()
    {
        string[] names = ["", "A", "MCP Agent", "O'Neil", "a_b x+y", "{weird} ~tilde", "#1 Fan!", "Jane/Doe", "J? K*", "ABC DEF GHI JKL", "`q` |p| ^r^ $s% &t"];
        string[] specs = ["a@b.example", "first.last+tag@sub.b-c.example", "o'neil{x}@b.example", "X@Y.EXAMPLE", "1@2", "a-b@c--d.example", "xn@xn.example"];
        string[] around = ["", " ", "\t", "\r\n", "  \r\n"];
        int taken = 0;
        foreach (var name in names)
        foreach (var spec in specs)
        foreach (var before in around)
        foreach (var after in around)
        {
            string value = before + (name.Length > 0 ? name + " " : "") + "<" + spec + ">" + after;
            var raw = System.Text.Encoding.UTF8.GetBytes(value);
            Assert.True(MimeAddresses.TrySimpleMailbox(raw, out var address, out var fastName), value);
            taken++;
            Assert.True(MimeKit.InternetAddressList.TryParse(ImfOptions.Default.Parser, raw, 0, raw.Length, out var list), value);
            var m = Assert.IsType<MimeKit.MailboxAddress>(Assert.Single(list));
            Assert.Equal(m.Address, address);
            Assert.Equal(string.IsNullOrEmpty(m.Name) ? null : m.Name, fastName);
            // And through the whole parser, with and without the fast path's share of the field.
            Assert.Equal(new McpEgress.Mail.MailAddress(m.Address, fastName), Assert.Single(MimeAddresses.Parse(value)));
        }
        Assert.Equal(names.Length * specs.Length * around.Length * around.Length, taken);
    }

    /// <summary>A comma-separated list of such mailboxes and addr-specs: MimeKit reads the same addresses and names, in order.</summary>
    [Fact]
    public void ListFastPathAndMimeKitAgree()
    {
        string[] elements = ["a@b.example", "MCP Agent <mcp@corp.example>", "<x@y.example>", "O'Neil #1 <o'neil{x}@b.example>", "X@Y.EXAMPLE",
            "first.last+tag@sub.b-c.example"];
        string[] separators = [",", ", ", " , ", ",\r\n ", ",\t"];
        int lists = 0;
        for (int i = 0; i < elements.Length; i++)
        for (int j = 0; j < elements.Length; j++)
        foreach (var sep in separators)
        {
            string value = " " + elements[i] + sep + elements[j] + (i % 2 == 0 ? sep + elements[(i + j) % elements.Length] : "") + "\r\n";
            var raw = System.Text.Encoding.UTF8.GetBytes(value);
            Assert.True(MimeKit.InternetAddressList.TryParse(ImfOptions.Default.Parser, raw, 0, raw.Length, out var list), value);
            var expected = list.Mailboxes.Select(m => new McpEgress.Mail.MailAddress(m.Address, string.IsNullOrEmpty(m.Name) ? null : m.Name)).ToList();
            Assert.Equal(expected, MimeAddresses.Parse(value));
            lists++;
        }
        Assert.Equal(elements.Length * elements.Length * separators.Length, lists);
    }

    [Theory]
    [InlineData("a@b.example, , c@d.example")]            // an empty element: MimeKit's rules, not the fast path's
    [InlineData("a@b.example, John <j@xn--bcher-kva.example>")]
    [InlineData("j@xn--bcher-kva.example, a@b.example")]
    [InlineData("a@b.example, \"Q\" <q@b.example>")]
    [InlineData("a@b.example, c@d.example,")]
    public void ListsTheFastPathDoesNotTakeStillParse(string value)
    {
        var raw = System.Text.Encoding.UTF8.GetBytes(value);
        var parsed = MimeAddresses.Parse(value);
        Assert.True(parsed.Count >= 2, value);
        if (MimeKit.InternetAddressList.TryParse(ImfOptions.Default.Parser, raw, 0, raw.Length, out var list))
            Assert.Equal(list.Mailboxes.Count(), parsed.Count);
    }

    [Fact]
    public void OverflowScannerFindsAddressFieldDomainsAtEveryCut()
    {
        var block = "X-Pad: a@not-an-address.example\r\nTo: Bob <b@to.example>\r\nMessage-ID: <1@host.example>\r\n" +
                    "Bcc: x@hidden.example,\r\n\ty@folded.example\r\nSubject: q@subject.example\r\n";
        var bytes = System.Text.Encoding.ASCII.GetBytes(block);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var s = new HeaderOverflowScanner();
            s.Append(bytes.AsSpan(0, cut));
            s.Append(bytes.AsSpan(cut));
            var found = s.Found!.ToList();
            Assert.Equal(["folded.example", "hidden.example", "to.example"], found.Select(d => d.Domain));
            Assert.Equal([true, true, false], found.Select(d => d.MayBeHidden));
        }
    }

    [Fact]
    public void OverflowScannerSurvivesOverlongAndMalformedLines()
    {
        var s = new HeaderOverflowScanner();
        s.Append(System.Text.Encoding.ASCII.GetBytes("Bcc: " + new string('a', 10_000) + "@long.example\r\n")); // past the 4 KB line window
        s.Append("no colon at all @x\r\n:\r\n\r\nCc:@\r\nTo: @\r\n"u8);
        s.Append(System.Text.Encoding.ASCII.GetBytes("Cc: c@end.example"));                                   // no final LF
        s.Append("\r\n"u8);
        Assert.Contains(s.Found!.ToList(), d => d.Domain == "long.example" && d.MayBeHidden); // the window moved, the field did not
        Assert.Contains(s.Found!.ToList(), d => d.Domain == "end.example" && !d.MayBeHidden);
        Assert.DoesNotContain(s.Found!.ToList(), d => d.Domain == "x");
    }
}
