from adapters.dhcpdconf.domain_names import parse_domain_list, parse_domain_name


def test_domain_list_compressed_and_plain(lexer):
    assert parse_domain_list(lexer('"a.com", "b.a.com";'), compress=True) == (
        b"\x01a\x03com\x00\x01b\xc0\x00", ["a.com", "b.a.com"]
    )
    assert parse_domain_list(lexer('"a.com", "b.a.com";'), compress=False) == (
        b"\x01a\x03com\x00\x01b\x01a\x03com\x00", ["a.com", "b.a.com"]
    )


def test_domain_list_wants_strings(lexer):
    cf = lexer("a.com;")
    assert parse_domain_list(cf, compress=False) is None
    assert cf.diagnostics.reports[0].first_line == "t.conf line 1: Expecting a domain string."


def test_domain_list_bad_name(lexer):
    cf = lexer('"a..b";')
    assert parse_domain_list(cf, compress=False) is None
    assert cf.diagnostics.reports[0].first_line == (
        "t.conf line 1: Error assembling domain list: Message too long"
    )


def test_domain_name(lexer):
    assert parse_domain_name(lexer("www.example.com;")) == (
        b"\x03www\x07example\x03com\x00", "www.example.com"
    )
    assert parse_domain_name(lexer(";")) is None
