"""`option agent.X …;` lines of a lease, read as dhcpd's parse_option_decl reads them.

The messages are dhcpd's (fixtures/isc/damaged.log has most of them)."""

from __future__ import annotations

from adapters.leasefile.agent_reader import read_agent_option
from adapters.leasefile.lease_lexer import LeaseLexer
from domain.lease import AgentOption


def _read(line: str) -> tuple[AgentOption | None, list[str], str]:
    """Read `option …` and return the option, the first lines of the messages, and
    the text left after the statement."""
    lexer = LeaseLexer(line + " next;", "f")
    reports = lexer.begin_record(0).reports
    assert lexer.next().kind == "OPTION"
    option = read_agent_option(lexer)
    return option, [r.lines[0] for r in reports], lexer.src[lexer.last_end :]


def test_each_format_reads_its_value() -> None:
    assert _read('option agent.circuit-id "circ-1";')[0] == AgentOption("circuit-id", b"circ-1")
    assert _read("option agent.remote-id 1:2:ab;")[0] == AgentOption("remote-id", b"\x01\x02\xab")
    assert _read("option agent.agent-id 10.1.2.3;")[0] == AgentOption("agent-id",
                                                                      bytes([10, 1, 2, 3]))
    assert _read("option agent.DOCSIS-device-class 0x10;")[0] == AgentOption(
        "DOCSIS-device-class", b"\x00\x00\x00\x10")
    assert _read("option agent.relay-port;")[0] == AgentOption("relay-port", b"")
    assert _read('option agent.unknown-77 "x";')[0] == AgentOption("unknown-77", b"x")


def test_names_ignore_case_and_take_iscs_spelling() -> None:
    assert _read('option AGENT.Circuit-ID "c";')[0] == AgentOption("circuit-id", b"c")


def test_an_unknown_n_of_a_named_code_is_renamed_with_a_notice() -> None:
    option, messages, _ = _read('option agent.unknown-1 "zz";')
    assert option == AgentOption("circuit-id", b"zz")
    assert messages == ["option unknown-1 has been redefined as option circuit-id.  "
                        "Please update your configs if necessary."]


def test_an_option_of_another_space_is_refused_after_its_value() -> None:
    option, messages, rest = _read('option host-name "not-agent";')
    assert option is None
    assert messages == ["f line 1: agent option expected."]
    assert rest == " next;"


def test_unknown_names_and_code_zero_are_refused() -> None:
    assert _read('option agent.no-such-thing "x";')[1] == [
        "f line 1: no option named no-such-thing in space agent"]
    assert _read('option agent.unknown-0 "x";')[1] == [
        "f line 1: Option codes 0 and 0 are illegal in the agent space."]


def test_a_space_dhcpd_does_not_have_is_reported() -> None:
    assert _read("option nospace.foo 1;")[1] == ["f line 1: no option space named nospace."]


def test_broken_names() -> None:
    assert _read('option "x";')[1] == ["f line 1: expecting identifier after option keyword."]
    assert _read('option agent."x";')[1] == ["f line 1: expecting identifier after '.'"]


def test_values_of_the_wrong_kind() -> None:
    option, messages, rest = _read('option agent.agent-id "text";')
    assert option is None
    assert messages == ["f line 1: expecting numeric value."]
    assert rest == " next;"
    assert _read('option agent.DOCSIS-device-class "x";')[1] == ["f line 1: expecting number."]
    assert _read("option agent.relay-port 5;")[1] == ["f line 1: semicolon expected."]


def test_a_bad_hex_list_also_swallows_the_next_statement_as_isc_does() -> None:
    option, messages, rest = _read("option agent.circuit-id 1:2:xyz;")
    assert option is None
    assert messages == ["f line 1: expecting hexadecimal constant.",
                        "f line 1: semicolon expected."]
    assert rest == ""
