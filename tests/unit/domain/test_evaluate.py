"""Expression evaluation with ISC dhcpd 4.4's semantics.

Expressions are parsed by the real parser (`set probe = EXPR;` in a temporary
dhcpd.conf) and evaluated against hand-built packets.  Cases marked "observed" repeat
what dhcpd 4.4.3-P1 itself logged for the same expression and packet; the harness is
described in test_execute.py.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config import expressions as e
from domain.config import statements as s
from domain.config.model import DhcpConfig
from domain.dhcp_packet import DhcpPacket
from domain.eval_context import BindingScope, EvalContext
from domain.evaluate import (
    evaluate_boolean,
    evaluate_data,
    evaluate_numeric,
    evaluate_option_value,
    evaluate_value,
)
from domain.execute import run_function
from domain.options.definitions import OptionDef, OptionSpace
from domain.options.universes import OptionUniverses

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "conf"
PRELUDE = """
option arch code 93 = unsigned integer 16;
option space ipxe;
option ipxe.http code 19 = unsigned integer 8;
option ipxe-encap-opts code 175 = encapsulate ipxe;
"""
MAC = bytes.fromhex("001a2b0c0d0e")


def load(directory: Path, text: str) -> DhcpConfig:
    path = directory / "dhcpd.conf"
    path.write_text(text)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


Parse = Callable[[str], e.Expr]


@pytest.fixture
def parse(tmp_path: Path) -> Parse:
    """`parse("EXPR")` -> the expression as the parser builds it."""

    def parse_expression(text: str) -> e.Expr:
        config = load(tmp_path, f"{PRELUDE}\nset probe = {text};\n")
        statement = config.scopes[0].statements[-1]
        assert isinstance(statement, s.SetStatement)
        return statement.expression

    return parse_expression


def packet(options: dict[int, bytes] | None = None, **fields: object) -> DhcpPacket:
    values: dict[str, object] = dict(
        op=1, htype=1, hlen=6, hops=0, xid=0x1000, secs=0, flags=0x8000,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=MAC, options={53: b"\x01", **(options or {})},
    )
    values.update(fields)
    return DhcpPacket(**values)  # type: ignore[arg-type]


def ctx_for(pkt: DhcpPacket | None = None, **fields: object) -> EvalContext:
    return EvalContext(packet=pkt, **fields)  # type: ignore[arg-type]


# ---- booleans ------------------------------------------------------------------------


def test_and_has_no_value_when_its_left_side_is_false(parse: Parse) -> None:
    # Observed: `if not (A and B)` with A false takes the else branch.
    ctx = ctx_for(packet())
    assert evaluate_boolean(parse('substring("a", 0, 1) = "b" and known'), ctx) is None
    assert evaluate_boolean(parse('not (substring("a", 0, 1) = "b" and known)'), ctx) is None
    assert evaluate_boolean(parse('substring("a", 0, 1) = "a" and known'), ctx) is False
    assert evaluate_boolean(parse('substring("a", 0, 1) = "a" and not known'), ctx) is True
    assert evaluate_boolean(parse('known and known'), ctx_for()) is None


def test_or_is_true_as_soon_as_either_side_is(parse: Parse) -> None:
    with_packet, without = ctx_for(packet()), ctx_for()
    assert evaluate_boolean(parse('"a" = "b" or "a" = "a"'), with_packet) is True
    assert evaluate_boolean(parse("known or not known"), without) is None
    assert evaluate_boolean(parse('known or "a" = "a"'), without) is True
    assert evaluate_boolean(parse('known or "a" = "b"'), without) is False
    assert evaluate_boolean(parse('"a" = "b" or known'), without) is False


def test_equality_of_missing_values_and_of_different_types(parse: Parse) -> None:
    ctx = ctx_for(packet())
    # Observed: option host-name = option domain-name with neither sent is true.
    assert evaluate_boolean(parse("option host-name = option domain-name"), ctx) is True
    assert evaluate_boolean(parse('option host-name = "x"'), ctx) is False
    assert evaluate_boolean(parse('option host-name != "x"'), ctx) is True
    # dhcpd's parser allows `=` only between data; values of other kinds meet there
    # through variables and functions.
    equal, known = e.BinaryOp.EQUAL, e.Known()
    assert evaluate_boolean(e.Binary(equal, known, known), ctx) is True
    assert evaluate_boolean(e.Binary(equal, known, e.ConstData(b"x")), ctx) is False
    assert evaluate_boolean(e.Binary(equal, e.ConstInt(1), known), ctx) is False
    assert evaluate_boolean(parse("extract-int(07, 8) = 7"), ctx) is True
    assert evaluate_boolean(parse("extract-int(07, 8) != 6"), ctx) is True


def test_regular_expressions(parse: Parse) -> None:
    ctx = ctx_for(packet({60: b"PXEClient:Arch:00007"}))
    assert evaluate_boolean(parse('option vendor-class-identifier ~= "^PXE.*7$"'), ctx) is True
    assert evaluate_boolean(parse('"pxeclient" ~~ "^PXE"'), ctx) is True
    assert evaluate_boolean(parse('"pxeclient" ~= "^PXE"'), ctx) is False
    # Observed: an invalid pattern is simply false, so `not` of it is true.
    assert evaluate_boolean(parse('"x" ~= "("'), ctx) is False
    assert evaluate_boolean(parse('option user-class ~= "x"'), ctx) is None


def test_exists_known_static_and_variables(parse: Parse) -> None:
    pkt = packet({77: b"iPXE", 12: b""})
    assert evaluate_boolean(parse("exists user-class"), ctx_for(pkt)) is True
    assert evaluate_boolean(parse("exists host-name"), ctx_for(pkt)) is False
    assert evaluate_boolean(parse("exists user-class"), ctx_for()) is False
    assert evaluate_boolean(parse("known"), ctx_for(pkt, known=True)) is True
    assert evaluate_boolean(parse("known"), ctx_for()) is None
    assert evaluate_boolean(parse("static"), ctx_for(pkt, static_lease=True)) is True
    scope = BindingScope([("flag", True), ("word", b"x")])
    assert evaluate_boolean(parse("defined(word)"), ctx_for(variables=scope)) is True
    assert evaluate_boolean(parse("defined(other)"), ctx_for(variables=scope)) is False
    assert evaluate_boolean(e.VariableReference("flag"), ctx_for(variables=scope)) is True
    assert evaluate_boolean(e.VariableReference("word"), ctx_for(variables=scope)) is None
    # `true` is no literal in dhcp-eval: it is an unset variable.
    assert evaluate_boolean(parse("true"), ctx_for(pkt)) is None


def test_check_is_true_once_a_class_matched(parse: Parse) -> None:
    # Observed: `if check "default"` is true when the client is in some class.
    assert evaluate_boolean(parse('check "default"'), ctx_for(classes=("k1",))) is True
    assert evaluate_boolean(parse('check "default"'), ctx_for()) is False


# ---- data ----------------------------------------------------------------------------


DATA_CASES = [
    ('substring("abc", 5, 2)', b""),  # observed
    ('substring("abcdef", 2, 3)', b"cde"),
    ('substring("abc", 1, 100)', b"bc"),
    ('suffix("abc", 5)', b"abc"),  # observed
    ('suffix("abcdef", 2)', b"ef"),
    ('suffix("abc", 0)', b""),
    ('lcase("AbC")', b"abc"),  # observed
    ('ucase("aBc")', b"ABC"),
    ('concat("a", "b", "c")', b"abc"),
    ('concat("a", null)', None),  # observed: the log line is not printed
    ('pick-first-value(option host-name, "dflt")', b"dflt"),  # observed
    ("pick-first-value(null, null)", None),
    ('binary-to-ascii(16, 8, ":", reverse(2, 01:02:03:04))', b"3:4:1:2"),  # observed
    ("reverse(3, 01:02:03:04)", None),
    ("reverse(0, 01:02)", None),
    ("encode-int(250 + 9, 8)", b"\x03"),  # observed
    ("encode-int(4000000000, 32)", (4000000000).to_bytes(4, "big")),
    ("encode-int(10 / 0, 32)", None),  # observed: not printed
    ("encode-int(5 + 3 * 2, 8)", bytes([16])),  # observed: + binds tighter than *
    ("encode-int(extract-int(01:02:03:04:05, 32), 32)", bytes([1, 2, 3, 4])),  # observed
    ("encode-int(extract-int(01, 16), 16)", None),
    ("encode-int(7 % 4, 8)", b"\x03"),
    ("encode-int(6 & 3, 8)", b"\x02"),
    ("encode-int(6 | 3, 8)", b"\x07"),
    ("encode-int(6 ^ 3, 8)", b"\x05"),
]


@pytest.mark.parametrize(("text", "expected"), DATA_CASES)
def test_data_expressions(parse: Parse, text: str, expected: bytes | None) -> None:
    assert evaluate_data(parse(text), ctx_for(packet())) == expected


def test_packet_fields(parse: Parse) -> None:
    pkt = packet({93: b"\x00\x07"}, file=b"pxelinux.0\0junk", sname=b"")
    ctx = ctx_for(pkt)
    # Observed: hardware and packet(…) for the same client.
    assert evaluate_data(parse('binary-to-ascii(16, 8, ":", hardware)'), ctx) == (
        b"1:0:1a:2b:c:d:e"
    )
    assert evaluate_data(parse('binary-to-ascii(16, 8, ":", packet(0, 4))'), ctx) == b"1:1:6:0"
    assert evaluate_data(parse('binary-to-ascii(10, 8, ".", packet(24, 4))'), ctx) == b"0.0.0.0"
    assert evaluate_data(parse("packet(2000, 4)"), ctx) is None
    assert evaluate_data(parse("option arch"), ctx) == b"\x00\x07"
    assert evaluate_data(parse("filename"), ctx) == b"pxelinux.0"
    assert evaluate_data(parse("server-name"), ctx) is None
    assert evaluate_data(parse("hardware"), ctx_for(packet(hlen=17))) is None
    assert evaluate_data(parse("hardware"), ctx_for(lease_hardware=b"\x01ab")) == b"\x01ab"
    assert evaluate_data(parse("hardware"), ctx_for()) is None


def test_packet_prefers_the_datagram_as_received(parse: Parse) -> None:
    ctx = ctx_for(packet(), raw_packet=b"\x01\x02\x03")
    assert evaluate_data(parse("packet(1, 10)"), ctx) == b"\x02\x03"
    assert evaluate_data(parse("packet(3, 1)"), ctx) is None


def test_lease_and_host_values(parse: Parse) -> None:
    lease = ctx_for(
        packet(), lease_address="10.0.0.100", host_name="pc1", lease_ends=1600, now=1000
    )
    assert evaluate_data(parse('binary-to-ascii(10, 8, ".", leased-address)'), lease) == (
        b"10.0.0.100"
    )
    assert evaluate_data(parse("host-decl-name"), lease) == b"pc1"
    assert evaluate_numeric(parse("lease-time"), lease) == 600
    # Observed: a lease that ends before now (a new lease ends at 0) has no lease-time.
    expired = ctx_for(packet(), lease_ends=0, now=1000)
    assert evaluate_numeric(parse("lease-time"), expired) is None
    assert evaluate_data(parse("leased-address"), ctx_for(packet())) is None
    assert evaluate_data(parse("host-decl-name"), ctx_for(packet())) is None


def test_options_of_the_reply_and_of_sub_spaces(parse: Parse) -> None:
    pkt = packet({82: bytes.fromhex("01020a0b020358595a"), 175: bytes.fromhex("130101")})
    ctx = ctx_for(pkt, config_options={("dhcp", 15): b"example.org"})
    # Observed: circuit-id 0a0b prints as 10-11, remote-id as XYZ.
    assert evaluate_data(parse('binary-to-ascii(10, 8, "-", option agent.circuit-id)'), ctx) == (
        b"10-11"
    )
    assert evaluate_data(parse("option agent.remote-id"), ctx) == b"XYZ"
    assert evaluate_data(parse("config-option domain-name"), ctx) == b"example.org"
    assert evaluate_data(parse("config-option host-name"), ctx) is None
    assert evaluate_data(parse("config-option domain-name"), ctx_for(pkt)) is None
    assert evaluate_boolean(parse("exists ipxe.http"), ctx_for(pkt)) is False
    assert evaluate_boolean(parse("exists ipxe.http"), ctx_for(pkt, universes=_ipxe())) is True


def _ipxe() -> OptionUniverses:
    universes = OptionUniverses.standard()
    space = universes.add_space(OptionSpace("ipxe"))
    space.add(OptionDef("ipxe", "http", 19, "B"))
    universes.dhcp.add(OptionDef("dhcp", "ipxe-encap-opts", 175, "Eipxe."))
    return universes


def test_dns_lookups_and_the_local_host_name_come_from_the_context(parse: Parse) -> None:
    def resolve(name: str) -> tuple[ipaddress.IPv4Address, ...]:
        return (ipaddress.IPv4Address("192.0.2.7"),) if name == "tftp.example" else ()

    ctx = ctx_for(packet(), resolve_host=resolve, local_hostname="dhcp1")
    assert evaluate_data(parse('gethostbyname("tftp.example")'), ctx) == bytes([192, 0, 2, 7])
    assert evaluate_data(parse('gethostbyname("other.example")'), ctx) is None
    assert evaluate_data(parse("gethostname()"), ctx) == b"dhcp1"
    assert evaluate_data(parse("gethostname()"), ctx_for(packet())) is None


def test_v6relay_zero_is_the_packet_itself(parse: Parse) -> None:
    ctx = ctx_for(packet({60: b"v"}))
    assert evaluate_data(parse("v6relay(0, option vendor-class-identifier)"), ctx) == b"v"
    assert evaluate_data(parse("v6relay(1, option vendor-class-identifier)"), ctx) is None


# ---- numbers -------------------------------------------------------------------------


def test_numbers_are_unsigned_64_bit(parse: Parse) -> None:
    ctx = ctx_for(packet())
    # dhcpd's lexer reads `- 7` as part of a number, so subtraction is built by hand.
    subtract = e.Binary(e.BinaryOp.SUBTRACT, e.ConstInt(5), e.ConstInt(7))
    assert evaluate_numeric(subtract, ctx) == (1 << 64) - 2
    assert evaluate_data(e.EncodeInt(subtract, 16), ctx) == b"\xff\xfe"
    multiply = e.Binary(e.BinaryOp.MULTIPLY, e.ConstInt(1 << 40), e.ConstInt(1 << 40))
    assert evaluate_numeric(multiply, ctx) == 0
    divide = parse("encode-int(7 / 2, 32)")
    remainder = parse("encode-int(7 % 0, 32)")
    assert isinstance(divide, e.EncodeInt) and isinstance(remainder, e.EncodeInt)
    assert evaluate_numeric(divide.value, ctx) == 3
    assert evaluate_numeric(remainder.value, ctx) is None
    assert evaluate_numeric(e.ConstInt(-1), ctx) == (1 << 64) - 1
    assert evaluate_numeric(parse("extract-int(option arch, 16)"), ctx) is None
    assert evaluate_numeric(parse("client-state"), ctx) is None


# ---- variables and functions -----------------------------------------------------------


def test_variables_by_type(parse: Parse) -> None:
    scope = BindingScope([("word", b"val"), ("count", 3)])
    ctx = ctx_for(packet(), variables=scope)
    assert evaluate_data(parse('concat(word, "!")'), ctx) == b"val!"
    assert evaluate_data(e.VariableReference("count"), ctx) is None
    assert evaluate_numeric(e.VariableReference("count"), ctx) == 3
    assert evaluate_value(e.VariableReference("COUNT"), ctx) == 3
    assert evaluate_value(e.VariableReference("nothing"), ctx) is None


def test_function_results_reach_only_untyped_places(tmp_path: Path) -> None:
    # Observed: `set res = gfun("x")` stores g-x; `option root-path = gfun("rp")` sends
    # g-rp; inside concat() the call yields no value (dhcpd logs "Bogus opcode").
    config = load(tmp_path, """
        define gfun (word) { return concat("g-", word); }
        set probe = gfun("x");
        set typed = concat("<", gfun("y"), ">");
    """)
    define, probe, typed = config.scopes[0].statements
    assert isinstance(define, s.DefineStatement)
    assert isinstance(probe, s.SetStatement) and isinstance(typed, s.SetStatement)
    scope = BindingScope([("gfun", define.expression)])
    ctx = ctx_for(packet(), variables=scope, call_function=run_function)
    assert evaluate_value(probe.expression, ctx) == b"g-x"
    assert evaluate_option_value(probe.expression, ctx) == b"g-x"
    assert evaluate_data(probe.expression, ctx) is None
    assert evaluate_data(typed.expression, ctx) is None
    assert evaluate_value(probe.expression, ctx_for(packet(), variables=scope)) is None
    wrong_count = e.FunCall("gfun", ())
    assert evaluate_value(wrong_count, ctx) is None
    assert evaluate_value(e.FunCall("nofun", (e.ConstData(b"a"),)), ctx) is None


def test_a_function_that_calls_itself_forever_has_no_value(tmp_path: Path) -> None:
    config = load(tmp_path, """
        define loop (word) { return loop(word); }
        set probe = loop("x");
    """)
    define, probe = config.scopes[0].statements
    assert isinstance(define, s.DefineStatement) and isinstance(probe, s.SetStatement)
    ctx = ctx_for(variables=BindingScope([("loop", define.expression)]), call_function=run_function)
    assert evaluate_value(probe.expression, ctx) is None


# ---- real-world class forms -----------------------------------------------------------


CORPUS_FORMS = [
    # (expression, options, expected) — forms taken from the shared corpus
    ('substring(option vendor-class-identifier, 0, 9) = "PXEClient"',
     {60: b"PXEClient:Arch:00007:UNDI:003016"}, True),
    ('substring(option vendor-class-identifier, 0, 9) = "PXEClient"', {60: b"MSFT 5.0"}, False),
    ('substring(option vendor-class-identifier, 0, 9) = "PXEClient"', {}, False),
    ("option arch = 00:07", {93: b"\x00\x07"}, True),
    ("option arch = 00:07", {93: b"\x00\x09"}, False),
    ('exists user-class and option user-class = "iPXE"', {77: b"iPXE"}, True),
    ('exists user-class and option user-class = "iPXE"', {77: b"gPXE"}, False),
    ('exists user-class and option user-class = "iPXE"', {}, None),
    ('option user-class="iPXE" and exists arch', {77: b"iPXE", 93: b"\x00\x00"}, True),
    ('exists arch and (not (option user-class="iPXE"))', {93: b"\x00\x00"}, True),
    ("substring(hardware, 1, 3) = 00:1a:2b", {}, True),
    ('binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)) = "0:1a:2b:c:d:e"', {}, True),
    ("(extract-int (suffix (option vendor-class-identifier, 1), 8) = 7)", {60: b"abc\x07"}, True),
    ('substring(pick-first-value(option vendor-class-identifier, ""), 0, 8) = "snom-m3-"',
     {}, False),
]


@pytest.mark.parametrize(("text", "options", "expected"), CORPUS_FORMS)
def test_corpus_class_forms(
    parse: Parse, text: str, options: dict[int, bytes], expected: bool | None
) -> None:
    assert evaluate_boolean(parse(text), ctx_for(packet(options))) is expected


# ---- no packet makes evaluation raise ---------------------------------------------------


def _statement_expressions(statements: tuple[s.Statement, ...]) -> Iterator[e.Expr]:
    for statement in statements:
        for value in vars(statement).values():
            if isinstance(value, e.Expr):
                yield value
                if isinstance(value, e.Function):
                    yield from _statement_expressions(value.body)
            elif isinstance(value, tuple):
                yield from (item for item in value if isinstance(item, e.Expr))
                yield from _statement_expressions(
                    tuple(item for item in value if isinstance(item, s.Statement))
                )


def _corpus_expressions() -> list[e.Expr]:
    found: list[e.Expr] = []
    for path in sorted(CORPUS.glob("*.conf")):
        result = read_config(str(path))
        if not result.ok:
            continue
        config = build_config(result.tree)
        pending = list(config.classes)
        while pending:
            client_class = pending.pop()
            found += [x for x in (client_class.match_if, client_class.match) if x is not None]
            pending += client_class.subclasses
        for scope in config.scopes:
            found += _statement_expressions(scope.statements)
    return found


_HAND_MADE = [
    'binary-to-ascii(16, 8, ":", substring(hardware, 1, 6))',
    "packet(0, 300)",
    "concat(option agent.circuit-id, option agent.remote-id, option fqdn.hostname)",
    "encode-int(extract-int(option dhcp-client-identifier, 32) / extract-int(option arch, 16), 32)",
    'option vendor-class-identifier ~~ "^(pxe|ipxe)[[:digit:]]*$"',
    "reverse(extract-int(option arch, 8), option vendor-class-identifier)",
    'binary-to-ascii(extract-int(option arch, 8), 8, ".", option user-class)',
    "pick-first-value(option fqdn.fqdn, option vivso, option vivco, option ipxe.http)",
    "suffix(filename, extract-int(option arch, 16))",
    'substring(server-name, extract-int(option arch, 8), 4) = "x"',
]


@pytest.fixture(scope="module")
def all_expressions(tmp_path_factory: pytest.TempPathFactory) -> list[e.Expr]:
    directory = tmp_path_factory.mktemp("hand")
    hand = []
    for text in _HAND_MADE:
        config = load(directory, f"{PRELUDE}\nset probe = {text};\n")
        statement = config.scopes[0].statements[-1]
        assert isinstance(statement, s.SetStatement)
        hand.append(statement.expression)
    return hand + _corpus_expressions()


_OPTION_CODES = st.sampled_from([12, 43, 60, 61, 63, 77, 81, 82, 93, 124, 125, 175, 200])
_PACKETS = st.builds(
    DhcpPacket,
    op=st.integers(0, 255), htype=st.integers(0, 255), hlen=st.integers(0, 255),
    hops=st.integers(0, 255), xid=st.integers(0, 2**32 - 1), secs=st.integers(0, 65535),
    flags=st.integers(0, 65535), ciaddr=st.just("0.0.0.0"), yiaddr=st.just("0.0.0.0"),
    siaddr=st.just("10.0.0.1"), giaddr=st.sampled_from(["0.0.0.0", "10.1.2.3"]),
    chaddr=st.binary(max_size=16), sname=st.binary(max_size=64), file=st.binary(max_size=128),
    options=st.dictionaries(_OPTION_CODES, st.binary(max_size=40), max_size=8),
    has_cookie=st.booleans(),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pkt=_PACKETS, known=st.booleans())
def test_random_packets_never_make_evaluation_raise(
    all_expressions: list[e.Expr], pkt: DhcpPacket, known: bool
) -> None:
    assert len(all_expressions) > len(_HAND_MADE)
    ctx = ctx_for(pkt, known=known, universes=_ipxe(), call_function=run_function)
    for expr in all_expressions:
        evaluate_value(expr, ctx)
        evaluate_boolean(expr, ctx)
        evaluate_data(expr, ctx)
        evaluate_numeric(expr, ctx)
