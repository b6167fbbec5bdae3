"""The pieces of dhcpd's log lines, and the Decision defaults."""

from __future__ import annotations

from domain.dhcp_decision import (
    Decision,
    LogLevel,
    client_text,
    error,
    hex_or_string,
    hostname_text,
    lease_client_text,
    via_text,
)
from domain.dhcp_packet import ZERO, DhcpPacket, Inbound
from domain.lease import Hardware, Lease


def request(htype: int = 1, chaddr: bytes = bytes.fromhex("0200000000ab"),
            giaddr: str = ZERO) -> DhcpPacket:
    return DhcpPacket(op=1, htype=htype, hlen=len(chaddr), hops=0, xid=1, secs=0, flags=0,
                      ciaddr=ZERO, yiaddr=ZERO, siaddr=ZERO, giaddr=giaddr, chaddr=chaddr)


def test_a_client_is_named_by_hardware_else_lease_uid_else_nothing() -> None:
    assert client_text(request(), None) == "02:00:00:00:00:ab"
    assert client_text(request(htype=0), Lease("10.0.0.1", uid=b"\x01\x02")) == "01:02"
    assert client_text(request(htype=0), Lease("10.0.0.1", uid=b"pc-1")) == '"pc-1"'
    assert client_text(request(htype=0), None) == "<no identifier>"


def test_hex_or_string_follows_print_hex_1() -> None:
    assert hex_or_string(b"") == '""'
    assert hex_or_string(b"\x00" * 21) == ""  # 63 characters would not fit in 60
    assert hex_or_string(b"\xff\x01") == "ff:01"


def test_hostnames_are_shown_only_when_printable_and_short() -> None:
    assert hostname_text(None) == ""
    assert hostname_text(Lease("10.0.0.1", client_hostname="pc two")) == "(pc two) "
    unprintable = "(Hostname Unsuitable for Printing) "
    assert hostname_text(Lease("10.0.0.1", client_hostname="a\"b")) == unprintable
    assert hostname_text(Lease("10.0.0.1", client_hostname="x" * 65)) == unprintable


def test_via_is_the_relay_or_the_interface() -> None:
    assert via_text(Inbound(request(), "eth0", ZERO, 68)) == "eth0"
    assert via_text(Inbound(request(giaddr="10.9.0.1"), "eth0", ZERO, 68)) == "10.9.0.1"


def test_lease_client_text_prefers_hardware() -> None:
    hw = Lease("10.0.0.1", hardware=Hardware(1, b"\x02\x00\x00\x00\x00\x01"), uid=b"x")
    assert lease_client_text(hw) == "02:00:00:00:00:01"
    assert lease_client_text(Lease("10.0.0.1", uid=b"\x01\x09")) == "01:09"


def test_a_decision_defaults_to_doing_nothing() -> None:
    decision = Decision(log=(error("bad"),))
    assert decision.log[0].level is LogLevel.ERROR
    assert (decision.reply, decision.changes, decision.holds, decision.ping) == (None, (), (), None)
