"""`lease` records read token by token, with dhcpd's values, messages and drops.

Every message text and decision below was checked against the real dhcpd 4.4.3-P1
(`dhcpd -T` on the same text); test_statement_reader.py repeats that comparison live.
"""

from __future__ import annotations

from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.lease_reader import build_lease, read_lease
from domain.lease import AgentOption, BillingClass, BindingState, Hardware, Lease


def _read(body: str, address: str = "10.0.0.1") -> tuple[Lease | None, list[str]]:
    lexer = LeaseLexer(f"lease {address} {{\n{body}\n}}\n", "f")
    reports = lexer.begin_record(0).reports
    lexer.next()
    lease = read_lease(lexer)
    return lease, [line for r in reports for line in r.lines[:1]]


def test_a_repeated_field_keeps_the_last_value_and_is_reported() -> None:
    lease, messages = _read("  starts 5 2026/11/27 17:00:00;\n  STARTS 5 2026/11/27 17:00:01;")
    assert lease is not None
    assert lease.starts == 1795798801
    assert messages == ["f line 3: Too many STARTS parameters in lease 10.0.0.1\n"]


def test_a_reported_repeat_is_not_remembered_so_a_third_passes() -> None:
    # ISC only records a field as seen when it was not seen yet; `on` blocks show it.
    _, messages = _read('  on expiry { set a = "1"; }\n  on release or expiry { set b = "2"; }\n'
                        '  on release { set c = "3"; }')
    assert messages == ["f line 3: Too many on parameters in lease 10.0.0.1\n"]


def test_a_binding_state_line_stands_for_next_and_rewind_until_they_come() -> None:
    lease, _ = _read("  next binding state expired;\n  binding state active;")
    assert lease is not None
    assert lease.binding_state is BindingState.ACTIVE
    assert lease.next_binding_state is BindingState.EXPIRED
    assert lease.rewind_binding_state is None


def test_a_later_binding_state_also_replaces_the_next_state_abandoned_gave() -> None:
    lease, _ = _read("  abandoned;\n  binding state active;")
    assert lease == Lease("10.0.0.1", binding_state=BindingState.ACTIVE)
    kept, _ = _read("  rewind binding state free;\n  binding state active;")
    assert kept == Lease("10.0.0.1", binding_state=BindingState.ACTIVE,
                         rewind_binding_state=BindingState.FREE)


def test_legacy_words() -> None:
    lease, _ = _read("  binding state bootp;\n  next binding state reserved;")
    assert lease == Lease("10.0.0.1", binding_state=BindingState.ACTIVE, reserved=True,
                          dynamic_bootp=True)
    abandoned, _ = _read("  abandoned;")
    assert abandoned == Lease("10.0.0.1", binding_state=BindingState.ABANDONED)


def test_unknown_words_drop_the_lease() -> None:
    for body, message in (
        ("  bogus-word 12;", "f line 2: Unexpected configuration directive."),
        ("  binding state sleeping;", "f line 2: sleeping: expecting a binding state."),
        ('  set 1234 = "x";', "f line 2: 1234 can't be a variable name"),
        ('  set x "y";', "f line 2: expecting '=' in set statement."),
        ("  set x = %notanumber;", "f line 2: expecting decimal number."),
        ("  set x = maybe;", "f line 2: expecting true or false"),
        ("  set x = 12:34;", "f line 2: expecting a constant value."),
        ("  on sunrise { }", "f line 2: expecting a lease event type"),
        ('  on expiry set x = "1";', "f line 2: left brace expected."),
        ("  uid zz:yy;", "f line 2: expecting numeric value."),
        ("  client-hostname ;", "f line 2: expecting a hostname."),
    ):
        lease, messages = _read(body)
        assert lease is None, body
        assert messages[0] == message


def test_a_quoted_class_word_drops_the_lease_silently() -> None:
    assert _read('  class "quoted";') == (None, [])
    lease, messages = _read("  class foo;")
    assert lease == Lease("10.0.0.1")
    assert messages == []


def test_bindings_keep_the_first_spelling_and_the_last_value() -> None:
    lease, _ = _read('  set a = "x";\n  set B = true;\n  set A = %-3;\n  set h = 0a:0b;')
    assert lease is not None
    assert lease.bindings == (("a", -3), ("B", True), ("h", b"\n\x0b"))


def test_ddns_names_are_bindings() -> None:
    lease, _ = _read('  DDNS-FWD-NAME "h.example.org";\n  ddns-rev-name "r";')
    assert lease is not None
    assert lease.bindings == (("DDNS-FWD-NAME", b"h.example.org"), ("ddns-rev-name", b"r"))
    assert lease.ddns_fwd_name == b"h.example.org"


def test_on_blocks() -> None:
    lease, _ = _read('  on expiry or commit { set a = "1"; }\n  on expiry or release { }\n'
                     '  on commit;\n  on release { set b = "2"; }')
    assert lease is not None
    assert (lease.on_expiry, lease.on_release, lease.on_expiry_or_release) == (
        ' set a = "1"; ', ' set b = "2"; ', False)
    shared, _ = _read('  on release or expiry {\n    log (info, "x");\n  }')
    assert shared is not None
    assert shared.on_expiry == shared.on_release == '\n    log (info, "x");\n  '
    assert shared.on_expiry_or_release
    split, _ = _read('  on expiry or release { set a = "1"; }\n  on release { set b = "2"; }')
    assert split is not None
    assert not split.on_expiry_or_release


def test_client_hostname_forms() -> None:
    lease, _ = _read("  client-hostname a.b.;")
    assert lease is not None
    assert lease.client_hostname == "a.b."
    cut, _ = _read('  client-hostname "a\\000b";')
    assert cut is not None
    assert cut.client_hostname == "a"


def test_billing() -> None:
    lease, messages = _read('  billing subclass "perrelay" 00:01:ff;')
    assert lease is not None
    assert lease.billing == BillingClass("perrelay", b"\x00\x01\xff")
    lease, messages = _read('  billing class "limited";\n  billing junk;')
    assert lease is not None
    assert lease.billing == BillingClass("limited")
    assert messages == ['f line 3: expecting "class"',
                        "f line 3: Too many billing parameters in lease 10.0.0.1\n"]
    lease, _ = _read('  billing class "limited";\n  billing subclass nope "x";')
    assert lease is not None
    assert lease.billing is None  # ISC lets go of the class before reading the new one


def test_agent_options_keep_their_order_and_repeats() -> None:
    lease, _ = _read('  option agent.circuit-id "a";\n  supersede agent.remote-id 1:2;\n'
                     '  option agent.circuit-id "b";')
    assert lease is not None
    assert lease.agent_options == (AgentOption("circuit-id", b"a"),
                                   AgentOption("remote-id", b"\x01\x02"),
                                   AgentOption("circuit-id", b"b"))


def test_hardware_and_uid() -> None:
    lease, _ = _read("  hardware ethernet 00:01:02;\n  uid 01:02;")
    assert lease is not None
    assert lease.hardware == Hardware(1, b"\x00\x01\x02")
    assert lease.uid == b"\x01\x02"


def test_a_lease_cut_by_the_end_of_the_file_is_still_kept() -> None:
    lexer = LeaseLexer("lease 10.0.0.1 {\n  starts 5 2026/11/27 17:00:00;", "f")
    reports = lexer.begin_record(0).reports
    lexer.next()
    assert read_lease(lexer) == Lease("10.0.0.1", starts=1795798800)
    assert reports[-1].lines[0] == "f line 2: unexpected end of file"
    assert lexer.reached_eof


def test_an_address_out_of_range_is_cut_to_a_byte() -> None:
    lexer = LeaseLexer("lease 999.0.0.1 { }", "f")
    reports = lexer.begin_record(0).reports
    lexer.next()
    lease = read_lease(lexer)
    assert lease is not None
    assert lease.ip == "231.0.0.1"
    assert reports[0].lines[0] == "f line 1: 999 exceeds max (255) for precision."


def test_build_lease_drops_states_equal_to_the_binding_state() -> None:
    lease = build_lease("10.0.0.1", {"ends": 5}, BindingState.FREE, BindingState.FREE,
                        BindingState.ACTIVE)
    assert lease == Lease("10.0.0.1", ends=5, binding_state=BindingState.FREE,
                          rewind_binding_state=BindingState.ACTIVE)
