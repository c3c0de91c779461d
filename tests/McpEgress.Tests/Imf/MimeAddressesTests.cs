using McpEgress.Mail;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

public class MimeAddressesTests
{
    private static List<string> Addrs(string v, ImfOptions? o = null, TestAnomalies? a = null) =>
        MimeAddresses.Parse(v, o, a).Select(x => x.Address).ToList();

    private static MailAddress One(string v)
    {
        var l = MimeAddresses.Parse(v);
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
    public void UnterminatedGroupStillYieldsMembers() => Assert.Equal(["a@x.example"], Addrs("team: a@x.example"));

    [Fact]
    public void CommentsNeverBecomeAddresses()
    {
        // MimeKit uses a comment as the display name of a mailbox that has none ("addr (Name)", RFC 822 style);
        // Python drops it (RFC 5322 §3.2.2: a comment is CFWS). Addresses never come from a comment.
        Assert.Equal(new MailAddress("a@x.example", "John, <b@evil.example>"), One("a@x.example (John, <b@evil.example>)"));
        Assert.Equal(new MailAddress("j@x.example", "John (the (nested) boss) Smith"), One("John (the (nested) boss) Smith <j@x.example>"));
        Assert.Equal("john@x.example", One("john(c1)@(c2)x.example").Address);
    }

    [Fact]
    public void ObsoleteRouteIsDropped()
    {
        Assert.Equal(["user@h.example"], Addrs("<@r1.example,@r2.example:user@h.example>"));
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
        // Unterminated (§3.4.1 needs the "]"): MimeKit rejects it, reported; Python closes it.
        var a = new TestAnomalies();
        Assert.Empty(Addrs("u@[192.0.2.1", a: a));
        Assert.Equal(["address_list_invalid"], a.Names);
    }

    [Fact]
    public void LooseUnquotedCommaInDisplayName()
    {
        // MimeKit's ParserOptions.AllowUnquotedCommasInAddresses (on unless Strict).
        var l = MimeAddresses.Parse("Smith, John <j@x.example>, Doe, Jr., Jane <jd@y.example>");
        Assert.Equal([new MailAddress("j@x.example", "Smith, John"), new MailAddress("jd@y.example", "Doe, Jr., Jane")], l);
    }

    [Fact]
    public void StrictSplitsAtEveryCommaAndDropsDomainlessAddresses()
    {
        var strict = new ImfOptions { Strict = true };
        var l = MimeAddresses.Parse("Smith, John <j@x.example>", strict);
        Assert.Equal([new MailAddress("j@x.example", "John")], l);
        Assert.Empty(MimeAddresses.Parse("alice", strict));
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
    public void TrailingDotOfTheDomainIsDropped() => Assert.Equal("a@x.example", One("a@x.example.").Address);

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
        var l = MimeAddresses.Parse(v, null, a);
        Assert.DoesNotContain(ImfAnomalies.HeaderParserError, a.Names); // every name reported is catalogued (TestAnomalies)
        Assert.All(l, x => Assert.NotEqual(string.Empty, x.Address));
    }

    [Fact]
    public void UnbalancedQuoteRunsToTheEnd()
    {
        var a = new TestAnomalies();
        // MimeKit ends the open quote at the angle-addr and keeps the mailbox (Python makes it one quoted local part).
        Assert.Equal(["a@x.example", "b@y.example"], Addrs("a@x.example, \"b <b@y.example>", a: a));
    }

    [Fact]
    public void TenThousandNestedParensAreOneComment()
    {
        var a = new TestAnomalies();
        string v = "a@x.example " + new string('(', 10_000) + new string(')', 10_000) + ", b@y.example";
        Assert.Equal(["a@x.example", "b@y.example"], Addrs(v, a: a));
        Assert.Empty(a.Names);
    }

    [Fact]
    public void TenThousandUnclosedParensAreRecovered()
    {
        // MimeKit rejects the list; the element is searched for addr-specs, the unclosed comment included: a
        // monitor reports one address too many rather than one too few.
        var a = new TestAnomalies();
        Assert.Equal(["a@x.example", "b@y.example"], Addrs("a@x.example " + new string('(', 10_000) + " b@y.example", a: a));
        Assert.Equal(["address_list_invalid"], a.Names);
    }

    [Fact]
    public void OneBadElementDoesNotLoseTheOthers()
    {
        // MimeKit's InternetAddressList.TryParse fails the whole list; each element is then parsed alone.
        var a = new TestAnomalies();
        Assert.Equal(["a@x.example", "b@y.example", "c@z.example"], Addrs("a@x.example, <>, b@y.example), c@z.example", a: a));
        Assert.Equal(["address_list_invalid"], a.Names);
        Assert.Equal(["a@x.example"], Addrs(" , , a@x.example , , "));
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
        var l = MimeAddresses.Parse(v, null, a);
        Assert.Single(l); // all 100k words are one loose display name
        Assert.Equal(100_000 + 1, l[0].DisplayName!.Split(',').Length);
        string v2 = string.Concat(Enumerable.Repeat("a, ", 100_000)) + "j@x.example";
        Assert.Equal(1000, MimeAddresses.Parse(v2, null, a).Count);
        Assert.True(a.Has("too_many_addresses"));
    }

    [Fact]
    public void AddressCapIsAnOption()
    {
        var a = new TestAnomalies();
        string v = string.Join(",", Enumerable.Range(0, 50).Select(i => $"u{i}@x.example"));
        var l = MimeAddresses.Parse(v, new ImfOptions { MaxAddressesPerField = 10 }, a);
        Assert.Equal(10, l.Count);
        Assert.Equal("u9@x.example", l[^1].Address);
        Assert.Equal(["too_many_addresses"], a.Names);
    }

    [Fact]
    public void HugeField()
    {
        string v = string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $"\"User {i}\" <u{i}@x.example>"));
        var l = MimeAddresses.Parse(v, new ImfOptions { MaxAddressesPerField = 100_000 });
        Assert.Equal(20_000, l.Count);
        Assert.Equal(new MailAddress("u19999@x.example", "User 19999"), l[^1]);
    }

    [Fact]
    public void DeepGroupsAreReported()
    {
        var a = new TestAnomalies();
        string v = string.Concat(Enumerable.Repeat("g:", 100)) + "a@x.example" + new string(';', 100);
        // RFC 5322 §3.4 has no nested groups; MimeKit allows ImfOptions.MaxAddressGroupDepth (3) and rejects
        // deeper lists, whose addr-specs are then recovered.
        Assert.Equal(["a@x.example"], Addrs(v, a: a));
        Assert.Equal(["address_list_invalid"], a.Names);
        Assert.Equal(["a@x.example"], Addrs("g: h: a@x.example;;"));
    }

    [Fact]
    public void PostmarkMcpBccLine() =>
        Assert.Equal("giftshop.club", One("phan@giftshop.club").Domain);
}
