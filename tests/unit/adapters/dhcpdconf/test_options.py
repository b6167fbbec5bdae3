"""Option statements and definitions against the real dhcpd (golden cases).

Each snippet is a whole dhcpd.conf; `same_as_dhcpd` runs `dhcpd -t` on it and checks
that we accept what it accepts and print the same error lines, first line first.
"""

import pytest

ACCEPTED = [
    'option routers 10.0.0.1, 10.0.0.2;\noption domain-name "example.org";\n',
    "option domain-search \"example.com\", \"sub.example.com\";\n",
    "option slp-service-scope true;\noption slp-service-scope true \"x\";\n",
    "option dhcp-client-identifier 1:2:3:ab;\noption vendor-encapsulated-options \"x\";\n",
    "option static-routes 10.0.0.1 10.0.0.2, 10.0.0.3 10.0.0.4;\n",
    "option agent.circuit-id \"c\";\noption dhcp6.name-servers 2001:db8::1, fe80::1;\n",
    "option unknown-200 1:2:3;\noption fqdn.no-client-update on;\n",
    "option space foo code width 2 length width 2 hash size 5;\n"
    "option foo.x code 300 = unsigned integer 16;\noption foo.x 70;\n",
    "option classless code 121 = array of { unsigned integer 8, ip-address };\n"
    "option classless 24 10.0.0.0, 0 0.0.0.0;\n",
    "option space s1;\noption x code 200 = { ip-address, encapsulate s1 };\n",
    "option x code 200 = domain-list compressed;\noption x \"a.com\", \"b.a.com\";\n",
    "option y code 201 = domain-name;\noption y foo.example.com;\n",
    "option x code 200 = zerolen;\noption x;\n",
    "option domain-name-servers ns1.example.com, 10.0.0.1;\n",
    "default-lease-time infinite;\nfilename \"pxelinux.0\";\nserver-name foo;\n"
    "vendor-option-space foo;\nlocal-address6 2001:db8::5;\n"
    "ddns-update-style interim;\nlog-facility local7;\n",
    "allow bootp; deny booting; ignore client-updates; allow new;\n",
    # `=` then end of file: dhcpd's uninitialised `lose` keeps it quiet here
    "ping-check false;\noption domain-name-servers =\n",
]

REJECTED = [
    "option routerz 10.0.0.1;\n",
    "  option routerz 10.0.0.1;\n",
    'option routers "gw";\n',
    "option routers 10.0.0;\noption domain-name \"x\";\n",
    "option routers;\n",
    "default-lease-time abc;\n",
    "ddns-update-style bogus;\n",
    "option domain-name 123;\n",
    "option interface-mtu foo;\n",
    "option dhcp-parameter-request-list 1, 2, 3, 300;\n",
    "option domain-search \"example.com\" \"x.org\";\n",
    "option slp-service-scope 5;\n",
    "option static-routes 10.0.0.1;\n",
    "option ip-forwarding maybe;\n",
    "option default-ip-ttl 0x1ff;\n",
    "option dhcp-client-identifier 1:2:3:zz;\n",
    "option host-name = 5 + 3;\n",
    "allow frobs;\n",
    "option unknown-0 5;\noption unknown-255 5;\n",
    "option nosuchspace.foo 5;\n",
    "option agent.bogus 1;\n",
    "vendor-option-space 5;\n",
    "next-server 1.2.3;\n",
    "option nwip.illegal-1 1;\n",
    "option space foo code width 3;\n",
    "option space foo bar;\n",
    "option space foo hash bar;\n",
    "option x code 200 = { text, ip-address };\n",
    "option x code 200 = array of text;\n",
    "option x code 200 = array of array of ip-address;\n",
    "option x code 200 = { ip-address, array of { ip-address } };\n",
    "option x code 200 = integer 12;\n",
    "option x code 200 = signed foo 8;\n",
    "option x code 200 = encapsulate nosuch;\n",
    "option space s1;\noption x code 200 = { encapsulate s1, ip-address };\n",
    "option space s1;\noption x code 200 = array of encapsulate s1;\n",
    "option x code 200 = array of zerolen;\n",
    "option x code 200 = zerolen;\noption x 5;\n",
    "option x code 200 = boolean\noption y code 201 = text;\n",
    "option x code = text;\n",
    "option x code 200 text;\n",
    "option x code 200 = { ip-address ip-address };\n",
    "option x code 200 = string;\noption x foo;\n",
    "option routers code 3 = bogus;\noption routers 1.2.3.4;\n",
    "option y code 201 = ip6-address;\noption y 2001:db8::zz;\n",
    "option fqdn.rcode1 300;\n",
    "option x code 200 = signed integer 16;\noption x -32769;\n",
    "option pxe-client-id \"x\";\n",
    "option slp-directory-agent 1.2.3.4;\n",
    "option domain-search \"a..b\";\n",
    "option v4-lost a.b..c;\n",
    "option domain-name-servers {;\n",
    'option domain-name "unterminated;\n',
    "option domain-name-servers = ;\n",
    "default-lease-time = ;\n",
    "supersede domain-name = }\n",
    "if known { ping-check = ; }\n",
    "if known { prepend domain-name = ; }\n",
]


@pytest.mark.isc
@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_like_dhcpd(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors == []


@pytest.mark.isc
@pytest.mark.parametrize("text", REJECTED)
def test_rejected_with_dhcpds_messages(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors


def test_unknown_option_line_shows_what_dhcpd_had_read(top_level):
    # dhcpd has already peeked at `10` (and read the `.` after it) when it warns.
    result = top_level("  option routerz 10.0.0.1;\n")
    assert result.lines == ["t.conf line 1: unknown option dhcp.routerz", "  option routerz 10.",
                            "          ^"]


def test_redefining_an_option_replaces_it_for_later_statements(top_level):
    result = top_level("option routers code 3 = text;\noption routers \"abc\";\n")
    assert result.errors == []
    assert result.statements[0].format == "t"
    assert result.statements[0].constant_value() == b"abc"


def test_a_failed_redefinition_leaves_the_option_undefined(top_level):
    result = top_level("option routers code 3 = bogus;\noption routers 1.2.3.4;\n")
    assert result.errors[-1] == "t.conf line 2: unknown option dhcp.routers"


def test_two_names_for_one_code_keep_both_names(top_level):
    result = top_level(
        'option a code 200 = text;\noption b code 200 = ip-address;\noption a "x";\n'
        "option b 1.2.3.4;\noption unknown-200 1.2.3.4;\n"
    )
    assert result.errors == []
    assert [s.name for s in result.statements] == ["a", "b", "b"]
    assert result.lines == [
        "option unknown-200 has been redefined as option b.  "
        "Please update your configs if necessary."
    ]
