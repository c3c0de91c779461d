#!/usr/bin/env python3
"""Generates address_corpus.jsonl: address-list header values in the styles real clients write, plus hostile ones.

Deterministic (fixed seed). Run from this folder: python3 gen_address_corpus.py > address_corpus.jsonl
Each line: {"id": "<style>-<n>", "value": "<unfolded header value>"}.
"""
import base64
import json
import random
import quopri

rng = random.Random(5322)

FIRST = ["John", "Jane", "Ann", "Bob", "Li", "Mary", "Pat", "Sam", "Olga", "Kenji", "Zoë", "José", "François"]
LAST = ["Smith", "Doe", "Müller", "O'Brien", "Nguyen", "Ivanov", "Tanaka", "García", "Lee", "Brown"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "gmail.com", "outlook.com", "sub.example.co.uk",
           "giftshop.club", "example.travel"]
NONASCII_NAMES = {
    "iso-8859-1": ["Jörg Müller", "François Père", "Åsa Ström"],
    "windows-1252": ["Renée “Quote” Dupont", "Zoë – Team", "Jürgen’s Office"],
    "koi8-r": ["Иван Петров", "Ольга Смирнова"],
    "shift_jis": ["田中太郎", "山田花子"],
    "gb2312": ["张伟", "王芳"],
    "utf-8": ["Jörg Müller", "Иван Петров", "田中太郎", "Ελένη", "😀 Smile"],
    "iso-8859-2": ["Łukasz Żółw"],
    "iso-8859-15": ["Prix 5 €uro"],
    "big5": ["陳大文"],
    "euc-kr": ["김철수"],
}

out = []


def add(style, value):
    out.append({"id": f"{style}-{sum(1 for o in out if o['id'].startswith(style + '-'))}", "value": value})


def local(first, last):
    return rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}", f"{first}+tag"]).lower() \
        .encode("ascii", "ignore").decode().replace("'", "")


def mailbox():
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return f, l, local(f.encode("ascii", "ignore").decode() or "x", l.encode("ascii", "ignore").decode() or "y") + "@" + rng.choice(DOMAINS)


def q_encode(text, charset):
    raw = text.encode(charset)
    s = "".join(chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else ("_" if b == 32 else f"={b:02X}") for b in raw)
    return f"=?{charset}?Q?{s}?="


def b_encode(text, charset):
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


# nodemailer: quoted ASCII names, Q-encoded UTF-8 names, several recipients.
for _ in range(20):
    parts = []
    for _ in range(rng.randint(1, 4)):
        f, l, a = mailbox()
        name = f"{f} {l}"
        if all(ord(c) < 128 for c in name):
            parts.append(f'"{name}" <{a}>' if rng.random() < 0.5 else f"{name} <{a}>")
        else:
            parts.append(f"{q_encode(name, 'utf-8')} <{a}>")
    add("nodemailer", ", ".join(parts))

# Outlook: "Last, First" quoted, iso-8859-1 / windows-1252 Q and B, single quotes in names.
for _ in range(20):
    parts = []
    for _ in range(rng.randint(1, 3)):
        f, l, a = mailbox()
        r = rng.random()
        if r < 0.4 and all(ord(c) < 128 for c in f + l):
            parts.append(f'"{l}, {f}" <{a}>')
        elif r < 0.7:
            cs = rng.choice(["iso-8859-1", "windows-1252"])
            name = rng.choice(NONASCII_NAMES[cs])
            parts.append(f"{rng.choice([q_encode, b_encode])(name, cs)} <{a}>")
        else:
            parts.append(f"'{f} {l}' <{a}>".encode("ascii", "replace").decode())
    add("outlook", "; ".join(parts) if False else ", ".join(parts))

# Gmail: bare names, B-encoded UTF-8, plain addr-specs.
for _ in range(20):
    parts = []
    for _ in range(rng.randint(1, 4)):
        f, l, a = mailbox()
        r = rng.random()
        if r < 0.3:
            parts.append(a)
        elif r < 0.6:
            parts.append(f"{b_encode(rng.choice(NONASCII_NAMES['utf-8']), 'UTF-8')} <{a}>")
        else:
            parts.append(f"{f} {l} <{a}>")
    add("gmail", ", ".join(parts))

# Thunderbird: quoted names with commas, raw UTF-8 names (RFC 6532), angle-only.
for _ in range(20):
    parts = []
    for _ in range(rng.randint(1, 3)):
        f, l, a = mailbox()
        r = rng.random()
        if r < 0.3:
            parts.append(f'"{l}, {f}" <{a}>')
        elif r < 0.6:
            parts.append(f"{rng.choice(NONASCII_NAMES['utf-8'])} <{a}>")
        else:
            parts.append(f"<{a}>")
    add("thunderbird", ", ".join(parts))

# Every charset, Q and B, sometimes split into adjacent words.
for cs, names in NONASCII_NAMES.items():
    for name in names:
        for enc in (q_encode, b_encode):
            _, _, a = mailbox()
            ew = enc(name, cs)
            add("charset", f"{ew} <{a}>")
    half = names[0][: len(names[0]) // 2], names[0][len(names[0]) // 2:]
    _, _, a = mailbox()
    add("ewsplit", f"{b_encode(half[0], cs)} {b_encode(half[1], cs)} <{a}>")
    add("ewsplit", f"{q_encode(half[0], cs)}\t{q_encode(half[1], cs)} <{a}>")

# Groups.
for v in ["undisclosed-recipients:;", "undisclosed-recipients: ;", "team: a@example.com, b@example.org;",
          "Team Alpha: \"Doe, Jane\" <jane@example.com>, bob@example.org;, carol@example.net",
          "a@example.com, list: ;, b@example.com", "=?utf-8?q?Gr=C3=BCppe?=: x@example.com;",
          "\"Quoted Group\": x@example.com, y@example.com;", "empty:;, also-empty:;",
          "g1: a@x.example;, g2: b@y.example;", "friends: Ann <ann@example.com>,\"B, B\" <bb@example.com>;"]:
    add("group", v)

# Comments.
for v in ["john@example.com (John Smith)", "(lead) John Smith <john@example.com>", "John (the boss) Smith <john@example.com>",
          "John Smith <john@example.com> (work)", "john(c1)@(c2)example.com", "(a, b <c@d>) real@example.com",
          "x@example.com (nested (comment (deep)))", "Ann <ann@example.com> (Ann, \"the\" <ann@fake.example>)",
          "(comment only) <bob@example.org>", "bob@example.org(comment),alice@example.org"]:
    add("comment", v)

# Obsolete syntax (RFC 5322 §4.4).
for v in ["<@relay1.example,@relay2.example:user@example.com>", "Joe <@r.example:joe@example.com>",
          "john . doe @ example . com", "\"john\".doe@example.com", "john.\"doe\"@example.com",
          "a@example.com,,b@example.com", ",a@example.com", "a@example.com,", " , , a@example.com , , ",
          "John Q. Public <jqp@example.com>", "Mary Smith <mary@example.net>, , jdoe@example.org",
          "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
          "A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org, John <jdoe@one.test> (my dear friend); (the end of the group)"]:
    add("obs", v)

# Quoted strings, escapes, quoted commas.
for v in ['"Doe, Jane" <jane@example.com>', '"Jane \\"JD\\" Doe" <jd@example.com>', '"a\\\\b" <ab@example.com>',
          '"john doe"@example.com', '"<not@address>" <real@example.com>', '"x@y.example" <z@example.com>',
          '"Smith, J., Jr." <js@example.com>, "O\'Brien, P" <pob@example.com>', '"" <empty@example.com>',
          '"=?utf-8?q?J=C3=B6rg?=" <joerg@example.com>', '"a;b:c" <abc@example.com>']:
    add("quoted", v)

# IDN and internationalised addresses (RFC 6531/6532).
for v in ["user@bücher.example", "Jörg <jörg@müller.example>", "user@xn--bcher-kva.example", "用户@例子.广告",
          "Иван <ivan@пример.рф>", "User <user@BÜCHER.Example>", "δοκιμή@παράδειγμα.δοκιμή",
          "admin@xn--80akhbyknj4f.xn--p1ai", "\"Ünïcödé\" <u@example.com>"]:
    add("idn", v)

# Domain literals.
for v in ["user@[192.0.2.1]", "User <user@[IPv6:2001:db8::1]>", "a@[10.0.0.1], b@example.com"]:
    add("literal", v)

# Loose (documented differences from Python).
for v in ["Smith, John <john.smith@example.com>", "Doe, Jane <jane@example.com>, bob@example.org",
          "alice", "alice, bob@example.com", "bob@example.com <bob@example.com>", "<a@example.com> <b@example.com>",
          "John Smith john@example.com", "<>", "a@example.com.", "a@"]:
    add("loose", v)

# Random well-formed lists to reach a few hundred values.
for _ in range(60):
    parts = []
    for _ in range(rng.randint(1, 6)):
        f, l, a = mailbox()
        r = rng.random()
        if r < 0.25:
            parts.append(a)
        elif r < 0.5:
            parts.append(f'"{f} {l}" <{a}>')
        elif r < 0.7:
            cs = rng.choice(list(NONASCII_NAMES))
            parts.append(f"{rng.choice([q_encode, b_encode])(rng.choice(NONASCII_NAMES[cs]), cs)} <{a}>")
        elif r < 0.85:
            parts.append(f"{a} ({f} {l})")
        else:
            parts.append(f"{f.encode('ascii', 'ignore').decode() or 'X'} <{a}>")
    add("random", rng.choice([", ", ",", " ,  "]).join(parts))

# Hostile.
for v in ['"unterminated <a@example.com>', "<a@example.com", "a@example.com>", "(unclosed a@example.com",
          "a@example.com)", "<<a@example.com>>", "\x00a@example.com", "a\x00b@example.com",
          "[1.2.3.4", "a@[1.2.3.4", "@example.com", "a@@example.com", ";;;", ":::", ",,,,,,",
          "=?utf-8?q?broken <a@example.com>", "=?bogus-charset?q?abc?= <a@example.com>",
          "=?utf-8?x?abc?= <a@example.com>", "=?utf-8?b?!!!?= <a@example.com>",
          "Bcc: evil@giftshop.club", "a@example.com\r\nBcc: evil@giftshop.club",
          "\"\\", "\\", "((((((((((", "))))))))))", "<" * 50 + "a@example.com" + ">" * 50,
          "a@example.com " + "(" * 100, "x" * 2000 + "@example.com", "a" + "@b" * 50,
          "phan@giftshop.club, " * 20]:
    add("hostile", v)

for o in out:
    print(json.dumps(o, ensure_ascii=False))
