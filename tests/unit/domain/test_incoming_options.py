"""A packet's options by space, decoded the way dhcpd decodes them on arrival.

The agent and fqdn cases repeat what dhcpd 4.4.3-P1 showed for the same bytes (see
`tests/unit/domain/test_execute.py` for how those runs were made).
"""

from __future__ import annotations

from domain.dhcp_packet import DhcpPacket
from domain.incoming_options import (
    FQDN_DOMAINNAME,
    FQDN_ENCODED,
    FQDN_FQDN,
    FQDN_HOSTNAME,
    FQDN_NO_CLIENT_UPDATE,
    FQDN_RCODE1,
    FQDN_SERVER_UPDATE,
    IncomingOptions,
    decode_fqdn,
    encapsulated_space_name,
)
from domain.options.definitions import OptionDef, OptionSpace
from domain.options.universes import OptionUniverses


def _packet(options: dict[int, bytes]) -> DhcpPacket:
    return DhcpPacket(
        op=1, htype=1, hlen=6, hops=0, xid=7, secs=0, flags=0, ciaddr="0.0.0.0",
        yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=bytes.fromhex("001a2b0c0d0e"), options=options,
    )


def test_dhcp_options_come_from_the_packet_but_an_empty_host_name_is_dropped() -> None:
    incoming = IncomingOptions(_packet({12: b"", 60: b"PXEClient", 61: b"\x01\x02"}))
    assert incoming.get("dhcp", 60) == b"PXEClient"
    assert incoming.get("DHCP", 61) == b"\x01\x02"
    assert incoming.get("dhcp", 12) is None
    assert incoming.get("dhcp", 77) is None


def test_relay_agent_sub_options_decode_from_option_82() -> None:
    incoming = IncomingOptions(_packet({82: bytes.fromhex("01020a0b020358595a")}))
    assert incoming.get("agent", 1) == b"\x0a\x0b"
    assert incoming.get("agent", 2) == b"XYZ"


def test_a_zero_sub_option_code_ends_the_agent_list() -> None:
    # Observed: circuit-id 05 kept, the remote-id after the 00 never seen.
    incoming = IncomingOptions(_packet({82: bytes.fromhex("01010500020358595a")}))
    assert incoming.get("agent", 1) == b"\x05"
    assert incoming.get("agent", 2) is None


def test_a_malformed_sub_option_keeps_the_ones_before_it() -> None:
    incoming = IncomingOptions(_packet({82: bytes.fromhex("0101aa0209")}))
    assert incoming.get("agent", 1) == b"\xaa"
    assert incoming.get("agent", 2) is None


def test_the_first_of_two_equal_sub_options_wins() -> None:
    incoming = IncomingOptions(_packet({82: bytes.fromhex("0101aa0101bb")}))
    assert incoming.get("agent", 1) == b"\xaa"


def test_stashed_agent_options_stand_in_for_a_missing_option_82() -> None:
    incoming = IncomingOptions(_packet({}), stashed_agent_options=bytes.fromhex("0103616263"))
    assert incoming.get("agent", 1) == b"abc"
    assert incoming.get("dhcp", 82) is None


def test_fqdn_in_text_form() -> None:
    # Observed: 00 00 00 "wf" -> hostname and fqdn "wf", no domain name.
    incoming = IncomingOptions(_packet({81: bytes.fromhex("0000007766")}))
    assert incoming.get("fqdn", FQDN_HOSTNAME) == b"wf"
    assert incoming.get("fqdn", FQDN_FQDN) == b"wf"
    assert incoming.get("fqdn", FQDN_DOMAINNAME) is None
    assert incoming.get("fqdn", FQDN_ENCODED) == b"\x00"


def test_fqdn_in_wire_form_keeps_dhcpds_leading_dot_on_the_domain() -> None:
    # Observed: 04 00 00 [3]abc[3]xyz[0] -> "abc", ".xyz", "abc.xyz".
    incoming = IncomingOptions(_packet({81: bytes.fromhex("040000036162630378797a00")}))
    assert incoming.get("fqdn", FQDN_HOSTNAME) == b"abc"
    assert incoming.get("fqdn", FQDN_DOMAINNAME) == b".xyz"
    assert incoming.get("fqdn", FQDN_FQDN) == b"abc.xyz"
    assert incoming.get("fqdn", FQDN_ENCODED) == b"\x01"


def test_fqdn_flags_and_a_nul_terminated_name() -> None:
    found: dict[int, bytes] = {}
    decode_fqdn(b"\x01\x07\x00host.example\x00", found)
    assert found[FQDN_SERVER_UPDATE] == b"\x01"
    # dhcpd marks no-client-update when the client NUL-terminates the name.
    assert found[FQDN_NO_CLIENT_UPDATE] == b"\x01"
    assert found[FQDN_RCODE1] == b"\x07"
    assert found[FQDN_HOSTNAME] == b"host"
    assert found[FQDN_FQDN] == b"host.example"


def test_fqdn_too_short_or_with_a_long_label_gives_up() -> None:
    short: dict[int, bytes] = {}
    decode_fqdn(b"\x00\x00", short)
    assert short == {}
    bad: dict[int, bytes] = {}
    decode_fqdn(b"\x04\x00\x00\x50abc", bad)
    assert bad == {FQDN_ENCODED: b"\x01"}


def test_a_user_defined_space_encapsulated_in_a_dhcp_option() -> None:
    universes = OptionUniverses.standard()
    ipxe = universes.add_space(OptionSpace("ipxe"))
    ipxe.add(OptionDef("ipxe", "http", 19, "f"))
    universes.dhcp.add(OptionDef("dhcp", "ipxe-encap-opts", 175, "Eipxe."))
    incoming = IncomingOptions(_packet({175: bytes.fromhex("13010112020101")}), universes)
    assert incoming.get("ipxe", 19) == b"\x01"
    assert incoming.get("ipxe", 18) == b"\x01\x01"
    assert IncomingOptions(_packet({175: b"\x13\x01\x01"})).get("ipxe", 19) is None


def test_vendor_options_nest_down_to_the_isc_space() -> None:
    isc_payload = bytes.fromhex("0001") + b"\x00\x02" + b"hi"
    enterprise = (2495).to_bytes(4, "big") + bytes([len(isc_payload)]) + isc_payload
    incoming = IncomingOptions(_packet({125: enterprise}))
    assert incoming.get("vendor", 2495) == isc_payload
    assert incoming.get("isc", 1) == b"hi"


def test_which_space_a_format_encapsulates() -> None:
    assert encapsulated_space_name("Eagent.") == "agent"
    assert encapsulated_space_name("E.") is None
    assert encapsulated_space_name("Eagent.X") is None
    assert encapsulated_space_name("X") is None
    assert encapsulated_space_name(None) is None
