"""Relay agent sub-option values, shown in their format as ISC writes them."""

from __future__ import annotations

from adapters.leasefile.agent_options import (
    AGENT_NAMES_BY_CODE,
    AGENT_SUBOPTIONS,
    agent_format,
    format_agent_value,
)


def test_the_agent_space_is_iscs_table() -> None:
    # server/stables.c agent_options.
    assert AGENT_SUBOPTIONS == {
        "circuit-id": (1, "X"), "remote-id": (2, "X"), "agent-id": (3, "I"),
        "DOCSIS-device-class": (4, "L"), "link-selection": (5, "I"), "relay-port": (19, "Z"),
    }
    assert AGENT_NAMES_BY_CODE[19] == "relay-port"


def test_unknown_codes_are_octet_strings() -> None:
    assert agent_format("unknown-99") == "X"
    assert agent_format("agent-id") == "I"


def test_values_are_written_as_dhcpd_wrote_them() -> None:
    # From fixtures/isc/fields.leases, lease 10.20.0.14.
    assert format_agent_value("circuit-id", b"circ-1") == '"circ-1"'
    assert format_agent_value("remote-id", b"\x01\x02\x03\xab\xcd") == "1:2:3:ab:cd"
    assert format_agent_value("agent-id", bytes([10, 1, 2, 3])) == "10.1.2.3"
    assert format_agent_value("DOCSIS-device-class", b"\xff\xff\xff\xff") == "4294967295"
    assert format_agent_value("link-selection", bytes([10, 20, 0, 0])) == "10.20.0.0"


def test_empty_values_are_left_out() -> None:
    assert format_agent_value("remote-id", b"") is None


def test_values_too_short_for_their_format_are_left_out() -> None:
    assert format_agent_value("agent-id", b"\x0a\x01") is None
    assert format_agent_value("DOCSIS-device-class", b"\x01") is None


def test_longer_values_show_their_first_field_as_isc_shows_them() -> None:
    assert format_agent_value("agent-id", bytes([10, 1, 2, 3, 4])) == "10.1.2.3"


def test_relay_port_shows_no_value() -> None:
    assert format_agent_value("relay-port", b"\x00\x43") == ""
