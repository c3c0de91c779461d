using McpEgress.Mail;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

public class AddressListParserTests
{
    private static List<string> Addrs(string v, ImfOptions? o = null, TestAnomalies? a = null) =>
        AddressListParser.Parse(v, o, a).Select(x => x.Address).ToList();

    private static MailAddress One(string v)
    {
        var l = AddressListParser.Parse(v);
        Assert.Single(l);
        return l[0];
    }

    [Fact]
    public void AddrSpec() => Assert.Equal(new MailAddress("a@example.com"), One("a@example.com"));

    [Fact]
    public void NameAddr()
    {
        // display-name  angle-addr
        Assert.Equal(new MailAddress("john@example.com", "John Smith"), One("John Smith <john@example.com>"));
        Assert.Equal(new MailAddress("john@example.com"), One("<john@example.com>"));
    }

    [Fact]
    public void QuotedDisplayNameWithCommaAndEscapes()
    {
        Assert.Equal(new MailAddress("j@x.example", "Doe, Jane"), One("\"Doe, Jane\" <j@x.example>"));
        Assert.Equal(new MailAddress("j@x.example", "Jane \"JD\" Doe"), One("\"Jane \\\"JD\\\" Doe\" <j@x.example>"));
        Assert.Equal(new MailAddress("j@x.example", "<evil@y.example>"), One("\"<evil@y.example>\" <j@x.example>"));
    }

    [Fact]
    public void QuotedLocalPartIsRequotedOnlyWhenNeeded()
    {
        Assert.Equal("\"john doe\"@x.example", One("\"john doe\"@x.example").Address);
        Assert.Equal("john.doe@x.example", One("\"john\".doe@x.example").Address);
    }

    [Fact]
    public void SeveralAddresses() =>
        Assert.Equal(["a@x.example", "b@y.example", "c@z.example"],
            Addrs("A <a@x.example>, \"B, b\" <b@y.example>,c@z.example"));

    [Fact]
    public void GroupsAreFlattened()
    {
        Assert.Empty(Addrs("undisclosed-recipients:;"));
        Assert.Equal(["a@x.example", "b@y.example"], Addrs("team: a@x.example, b@y.example;"));
        Assert.Equal(["a@x.example", "c@z.example"], Addrs("a@x.example, empty:;, c@z.example"));
        Assert.Equal(["a@x.example", "b@y.example"], Addrs("g1: a@x.example;, g2: B <b@y.example>;"));
    }

    [Fact]
    public void UnterminatedGroupStillYieldsMembers()
    {
        var a = new TestAnomalies();
        Assert.Equal(["a@x.example"], Addrs("team: a@x.example", a: a));
        Assert.True(a.Has("unterminated_group"));
    }

    [Fact]
    public void CommentsAreDroppedEvenWithCommasAndBrackets()
    {
        Assert.Equal(new MailAddress("a@x.example"), One("a@x.example (John, <b@evil.example>)"));
        Assert.Equal(new MailAddress("j@x.example", "John Smith"), One("John (the (nested) boss) Smith <j@x.example>"));
        Assert.Equal("john@x.example", One("john(c1)@(c2)x.example").Address);
    }

    [Fact]
    public void ObsoleteRouteIsDropped()
    {
        var a = new TestAnomalies();
        Assert.Equal(["user@h.example"], Addrs("<@r1.example,@r2.example:user@h.example>", a: a));
        Assert.True(a.Has("obs_route"));
    }

    [Fact]
    public void ObsoleteLocalPartAndDomainWithCfws() =>
        Assert.Equal("john.doe@example.com", One("john . doe @ example . com").Address);

    [Fact]
    public void ObsoleteEmptyListElements() =>
        Assert.Equal(["a@x.example", "b@y.example"], Addrs(" , a@x.example,, ,b@y.example, "));

    [Fact]
    public void ObsPhraseWithPeriod() =>
        Assert.Equal(new MailAddress("j@x.example", "John Q. Public"), One("John Q. Public <j@x.example>"));

    [Fact]
    public void MissingCommaBetweenMailboxes() =>
        Assert.Equal(["a@x.example", "b@y.example", "c@z.example"],
            Addrs("<a@x.example> B <b@y.example> c@z.example"));

    [Fact]
    public void EncodedWordDisplayNames()
    {
        Assert.Equal("Jörg", One("=?utf-8?q?J=C3=B6rg?= <j@x.example>").DisplayName);
        Assert.Equal("Jörg", One("=?iso-8859-1?Q?J=F6rg?= <j@x.example>").DisplayName);
        Assert.Equal("Иван", One("=?koi8-r?B?6dfBzg==?= <i@x.example>").DisplayName);
        // Inside a quoted string too (Python and MimeKit decode it).
        Assert.Equal("Jörg", One("\"=?utf-8?q?J=C3=B6rg?=\" <j@x.example>").DisplayName);
    }

    [Fact]
    public void RawUtf8AndIdnKeptAsWritten()
    {
        Assert.Equal(new MailAddress("jörg@müller.example", "Jörg"), One("Jörg <jörg@müller.example>"));
        Assert.Equal("用户@例子.广告", One("用户@例子.广告").Address);
        Assert.Equal("u@xn--bcher-kva.example", One("u@xn--bcher-kva.example").Address);
    }

    [Fact]
    public void DomainLiterals()
    {
        Assert.Equal("u@[192.0.2.1]", One("u@[192.0.2.1]").Address);
        Assert.Equal("u@[IPv6:2001:db8::1]", One("U <u@[IPv6:2001:db8::1]>").Address);
        Assert.Equal("u@[192.0.2.1]", One("u@[192.0.2.1").Address); // unterminated: closed
    }

    [Fact]
    public void LooseUnquotedCommaInDisplayName()
    {
        var a = new TestAnomalies();
        var l = AddressListParser.Parse("Smith, John <j@x.example>, Doe, Jr., Jane <jd@y.example>", null, a);
        Assert.Equal([new MailAddress("j@x.example", "Smith, John"), new MailAddress("jd@y.example", "Doe, Jr., Jane")], l);
        Assert.True(a.Has("unquoted_comma_in_display_name"));
    }

    [Fact]
    public void StrictSplitsAtEveryCommaAndDropsDomainlessAddresses()
    {
        var strict = new ImfOptions { Strict = true };
        var l = AddressListParser.Parse("Smith, John <j@x.example>", strict);
        Assert.Equal([new MailAddress("j@x.example", "John")], l);
        Assert.Empty(AddressListParser.Parse("alice", strict));
    }

    [Fact]
    public void AddressesWithoutDomainAreKeptWhenLoose()
    {
        var a = new TestAnomalies();
        Assert.Equal(["alice", "bob@y.example"], Addrs("alice, bob@y.example", a: a));
        Assert.True(a.Has("address_without_domain"));
        // Bare words not followed by an angle-addr are not merged into a display name.
        Assert.Equal(["alice", "bob", "carol"], Addrs("alice, bob, carol"));
    }

    [Fact]
    public void AddrSpecUsedAsDisplayName() =>
        Assert.Equal(new MailAddress("b@y.example", "a@x.example"), One("a@x.example <b@y.example>"));

    [Fact]
    public void NullAndEmptyAddressesGiveNothing()
    {
        Assert.Empty(Addrs("<>"));
        Assert.Empty(Addrs(""));
        Assert.Empty(Addrs("   "));
        Assert.Empty(Addrs("@x.example"));
        Assert.Empty(Addrs("\"\""));
    }

    [Fact]
    public void TrailingDotKeptAsWritten() => Assert.Equal("a@x.example.", One("a@x.example.").Address);

    [Theory]
    [InlineData("\"unterminated <a@x.example>")]
    [InlineData("<a@x.example")]
    [InlineData("a@x.example>")]
    [InlineData("(unclosed a@x.example")]
    [InlineData("a@x.example)")]
    [InlineData("<<a@x.example>>")]
    [InlineData("[1.2.3.4")]
    [InlineData("a@@x.example")]
    [InlineData(";;;")]
    [InlineData(":::")]
    [InlineData("\"\\")]
    [InlineData("\\")]
    [InlineData("=?utf-8?q?broken <a@x.example>")]
    [InlineData("a\0b@x.example")]
    [InlineData("a@x.example\rb@y.example")]
    public void HostileInputNeverThrows(string v)
    {
        var a = new TestAnomalies();
        var l = AddressListParser.Parse(v, null, a);
        Assert.False(a.Has("address_parser_error"));
        Assert.All(l, x => Assert.NotEqual(string.Empty, x.Address));
    }

    [Fact]
    public void UnbalancedQuoteRunsToTheEnd()
    {
        var a = new TestAnomalies();
        // The open quote runs to the end: its text is one (quoted) local part without a domain, as in Python.
        Assert.Equal(["a@x.example", "\"b <b@y.example>\""], Addrs("a@x.example, \"b <b@y.example>", a: a));
        Assert.True(a.Has("unterminated_quoted_string"));
    }

    [Fact]
    public void TenThousandNestedParensAreOneComment()
    {
        var a = new TestAnomalies();
        string v = "a@x.example " + new string('(', 10_000) + new string(')', 10_000) + ", b@y.example";
        Assert.Equal(["a@x.example", "b@y.example"], Addrs(v, a: a));
        Assert.Equal(["comment_too_deep"], a.Names);
    }

    [Fact]
    public void TenThousandUnclosedParensSwallowTheRest()
    {
        var a = new TestAnomalies();
        Assert.Equal(["a@x.example"], Addrs("a@x.example " + new string('(', 10_000) + " b@y.example", a: a));
        Assert.True(a.Has("unterminated_comment"));
    }

    [Fact]
    public void HundredThousandCommas()
    {
        Assert.Empty(Addrs(new string(',', 100_000)));
        Assert.Equal(["a@x.example"], Addrs(new string(',', 100_000) + "a@x.example"));
    }

    [Fact]
    public void HundredThousandBareWordsAndCommasStayLinearAndCapped()
    {
        // "a, a, a, ..." makes the loose comma rule look ahead; it must not rescan (quadratic) nor exceed the cap.
        var a = new TestAnomalies();
        string v = string.Concat(Enumerable.Repeat("a, ", 100_000)) + "J <j@x.example>";
        var l = AddressListParser.Parse(v, null, a);
        Assert.Single(l); // all 100k words are one loose display name
        Assert.Equal(100_000 + 1, l[0].DisplayName!.Split(',').Length);
        string v2 = string.Concat(Enumerable.Repeat("a, ", 100_000)) + "j@x.example";
        Assert.Equal(1000, AddressListParser.Parse(v2, null, a).Count);
        Assert.True(a.Has("too_many_addresses"));
    }

    [Fact]
    public void AddressCapIsAnOption()
    {
        var a = new TestAnomalies();
        string v = string.Join(",", Enumerable.Range(0, 50).Select(i => $"u{i}@x.example"));
        var l = AddressListParser.Parse(v, new ImfOptions { MaxAddressesPerField = 10 }, a);
        Assert.Equal(10, l.Count);
        Assert.Equal("u9@x.example", l[^1].Address);
        Assert.Equal(["too_many_addresses"], a.Names);
    }

    [Fact]
    public void HugeField()
    {
        string v = string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $"\"User {i}\" <u{i}@x.example>"));
        var l = AddressListParser.Parse(v, new ImfOptions { MaxAddressesPerField = 100_000 });
        Assert.Equal(20_000, l.Count);
        Assert.Equal(new MailAddress("u19999@x.example", "User 19999"), l[^1]);
    }

    [Fact]
    public void DeepGroupsAreReported()
    {
        var a = new TestAnomalies();
        string v = string.Concat(Enumerable.Repeat("g:", 100)) + "a@x.example" + new string(';', 100);
        Assert.Equal(["a@x.example"], Addrs(v, a: a));
        Assert.True(a.Has("group_too_deep"));
    }

    [Fact]
    public void PostmarkMcpBccLine() =>
        Assert.Equal("giftshop.club", One("phan@giftshop.club").Domain);
}
