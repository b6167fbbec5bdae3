"""encode(): a reply laid out byte for byte as ISC dhcpd 4.4 lays it out.

The strongest check is the first: every reply ISC dhcpd sent in fixtures/ (plain,
overloaded into file and sname, split, too big, relayed) comes out of `encode`
identical, given the order and size ISC used.  The rest pin each rule on small
hand-made replies, read back with a walker written here from RFC 2132 §2.
"""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any

import pytest

from adapters.dhcp_wire.decode import decode
from adapters.dhcp_wire.encode import FIXED_HEAD, encode, reply_size_limit
from domain.dhcp_packet import DhcpPacket

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = ("plain", "overload", "split", "both", "drop", "relay")
MAC = bytes.fromhex("020000000001")
SERVER = socket.inet_aton("10.0.0.1")
LEASE = (600).to_bytes(4, "big")


def fixture(name: str) -> bytes:
    return bytes.fromhex((FIXTURES / f"{name}.hex").read_text())


def ack(options: dict[int, bytes] | None = None, **fields: Any) -> DhcpPacket:
    base = DhcpPacket(
        op=2,
        htype=1,
        hlen=6,
        hops=0,
        xid=0x12345678,
        secs=0,
        flags=0,
        ciaddr="0.0.0.0",
        yiaddr="10.0.0.5",
        siaddr="0.0.0.0",
        giaddr="0.0.0.0",
        chaddr=MAC,
        options={53: b"\x05", 54: SERVER, 51: LEASE} if options is None else options,
    )
    return dataclasses.replace(base, **fields)


def walk(area: bytes) -> list[tuple[int, bytes]]:
    """The option instances in one area, in order, up to END (RFC 2132 §2)."""
    found, i = [], 0
    while i < len(area) and area[i] != 255:
        if area[i] == 0:
            i += 1
            continue
        found.append((area[i], area[i + 2 : i + 2 + area[i + 1]]))
        i += 2 + area[i + 1]
    return found


def codes(area: bytes) -> list[int]:
    return [code for code, _value in walk(area)]


def options_field(datagram: bytes) -> bytes:
    return datagram[240:]


def file_field(datagram: bytes) -> bytes:
    return datagram[108:236]


def sname_field(datagram: bytes) -> bytes:
    return datagram[44:108]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize(
    ("request_name", "reply_name"), [("discover", "offer"), ("request", "ack")]
)
def test_iscs_replies_come_out_byte_for_byte(
    scenario: str, request_name: str, reply_name: str
) -> None:
    """ISC's order for a client with a PRL: its fixed head, the PRL, then 1."""
    request = decode(fixture(f"{scenario}-{request_name}"))
    isc = fixture(f"{scenario}-{reply_name}")
    reply = decode(isc)
    # The option mapping's own order must not matter: reverse it.
    reply = dataclasses.replace(reply, options=dict(reversed(list(reply.options.items()))))
    order = [*request.options[55], 1]
    assert encode(reply, max_size=reply_size_limit(request), option_order=order) == isc


def test_a_small_ack_is_the_rfc_layout_padded_to_300_bytes() -> None:
    expected = (
        bytes([2, 1, 6, 0])
        + bytes.fromhex("12345678")
        + bytes(4)  # secs, flags
        + bytes(4)
        + socket.inet_aton("10.0.0.5")
        + bytes(8)
        + MAC.ljust(16, b"\0")
        + bytes(64 + 128)
        + bytes([99, 130, 83, 99])
        + b"\x35\x01\x05"
        + b"\x36\x04"
        + SERVER
        + b"\x33\x04"
        + LEASE
        + b"\xff"
    )
    assert encode(ack()) == expected.ljust(300, b"\0")


class TestOrder:
    def test_iscs_fixed_head_comes_first_whatever_the_mapping_order(self) -> None:
        options = {1: b"\xff\xff\xff\0", 56: b"hi", 59: b"\0\0\0\x02", 58: b"\0\0\0\x01"}
        datagram = encode(ack({**options, 51: LEASE, 54: SERVER, 53: b"\x05"}))
        assert codes(options_field(datagram)) == [53, 54, 51, 58, 59, 56, 1]
        assert FIXED_HEAD == (53, 54, 51, 58, 59, 56, 50, 92)

    def test_the_given_order_then_the_rest_in_mapping_order(self) -> None:
        options = {53: b"\x05", 15: b"lab", 6: SERVER, 12: b"pc", 42: SERVER, 28: SERVER}
        datagram = encode(ack(options), option_order=[42, 99, 6, 42, 15])
        assert codes(options_field(datagram)) == [53, 42, 6, 15, 12, 28]

    def test_subnet_mask_goes_before_routers(self) -> None:
        options = {53: b"\x05", 3: SERVER, 6: SERVER, 1: b"\xff\xff\xff\0"}
        datagram = encode(ack(options), option_order=[3, 6, 1])
        assert codes(options_field(datagram)) == [53, 1, 6, 3]

    def test_relay_agent_information_goes_last_whatever_the_order(self) -> None:
        options = {82: b"\x01\x03eth", 53: b"\x05", 12: b"pc"}
        datagram = encode(ack(options), option_order=[82, 12])
        assert walk(options_field(datagram)) == [(53, b"\x05"), (12, b"pc"), (82, b"\x01\x03eth")]

    def test_empty_values_and_framing_codes_are_not_written(self) -> None:
        options = {53: b"\x05", 12: b"", 0: b"x", 52: b"\x03", 255: b"x", 15: b"lab"}
        datagram = encode(ack(options))
        assert walk(options_field(datagram)) == [(53, b"\x05"), (15, b"lab")]
        assert datagram[44:236] == bytes(192)


class TestSize:
    def test_a_long_reply_is_not_padded(self) -> None:
        datagram = encode(ack({53: b"\x05", 43: b"v" * 200}))
        assert len(datagram) == 240 + 3 + 202 + 1

    def test_values_over_255_bytes_go_out_as_several_instances(self) -> None:
        value = bytes(range(256)) * 2 + b"tail"
        datagram = encode(ack({53: b"\x05", 43: value}), max_size=1500)
        assert [(c, len(v)) for c, v in walk(options_field(datagram))] == [
            (53, 1), (43, 255), (43, 255), (43, 6)
        ]  # fmt: skip
        assert decode(datagram).options[43] == value

    @pytest.mark.parametrize(("given", "same_as"), [(0, 576), (548, 576), (9000, 1500)])
    def test_a_dhcp_reply_gets_576_to_1500_bytes(self, given: int, same_as: int) -> None:
        big = ack({53: b"\x05", **{code: bytes(200) for code in range(200, 208)}})
        assert encode(big, max_size=given) == encode(big, max_size=same_as)
        assert len(encode(big, max_size=same_as)) <= same_as - 28

    def test_a_bootp_reply_defaults_to_a_64_byte_vendor_area(self) -> None:
        bootp = ack({1: b"\xff\xff\xff\0", 43: bytes(100), 3: SERVER})
        datagram = encode(bootp, max_size=0)
        assert len(datagram) == 300
        assert walk(options_field(datagram)) == [(1, b"\xff\xff\xff\0"), (3, SERVER)]

    def test_an_option_that_fits_nowhere_is_left_out_and_later_ones_still_go(self) -> None:
        options = {53: b"\x05", 54: SERVER, 43: bytes(250), 44: bytes(250), 45: b"small"}
        datagram = encode(ack(options, sname=b"srv", file=b"boot"))
        assert codes(options_field(datagram)) == [53, 54, 43, 45]
        assert len(datagram) <= 576 - 28


class TestOverload:
    def test_options_that_do_not_fit_go_into_file_then_sname(self) -> None:
        options = {53: b"\x05", 43: bytes(250), 12: b"h" * 100, 15: b"d" * 50}
        datagram = encode(ack(options))
        assert walk(options_field(datagram)) == [(53, b"\x05"), (43, bytes(250)), (52, b"\x03")]
        assert walk(file_field(datagram)) == [(12, b"h" * 100)]
        assert walk(sname_field(datagram)) == [(15, b"d" * 50)]
        # Each overloaded field ends with END, then zeros.
        assert file_field(datagram)[102:] == b"\xff" + bytes(25)
        packet = decode(datagram)
        assert packet.options == options
        assert (packet.sname, packet.file) == (b"", b"")

    @pytest.mark.parametrize(("length", "area"), [(50, "options"), (51, "file")])
    def test_the_last_option_may_use_the_field_up_to_one_byte_for_end(
        self, length: int, area: str
    ) -> None:
        # The field has 308 bytes after the cookie; 53 and 43 take 255 of them.
        datagram = encode(ack({53: b"\x05", 43: bytes(250), 12: b"h" * length}))
        assert (12 in codes(options_field(datagram))) == (area == "options")
        assert (12 in codes(file_field(datagram))) == (area == "file")

    def test_an_option_before_others_must_leave_3_bytes_for_52_and_end(self) -> None:
        # 255 + 2 + 48 leaves exactly 3 bytes: not enough (ISC wants more than 3).
        options = {53: b"\x05", 43: bytes(250), 12: b"h" * 48, 15: b"lab"}
        datagram = encode(ack(options))
        assert codes(options_field(datagram)) == [53, 43, 15, 52]
        assert codes(file_field(datagram)) == [12]

    def test_a_split_fills_the_options_field_before_file(self) -> None:
        # 125 bytes would just miss fitting whole in file (ISC keeps 1 byte spare
        # there for END): the split puts 13 bytes in the options field first.
        options = {53: b"\x05", 43: bytes(250), 44: bytes(33), 12: b"h" * 125}
        datagram = encode(ack(options))
        assert [(c, len(v)) for c, v in walk(options_field(datagram))] == [
            (53, 1), (43, 250), (44, 33), (12, 13), (52, 1)
        ]  # fmt: skip
        assert [(c, len(v)) for c, v in walk(file_field(datagram))] == [(12, 112)]

    def test_a_split_never_makes_a_1_byte_instance(self) -> None:
        # 6 bytes left in the options field: ISC splits only into more than that, so
        # 62 bytes do not fit the 61 that sname can take and 12 is left out.
        options = {53: b"\x05", 43: bytes(250), 44: bytes(45), 12: b"h" * 62}
        datagram = encode(ack(options, file=b"taken"))
        assert codes(options_field(datagram)) == [53, 43, 44]
        assert 12 not in decode(datagram).options

    def test_a_field_holding_a_name_is_not_used(self) -> None:
        options = {53: b"\x05", 43: bytes(250), 12: b"h" * 60, 15: b"lab"}
        datagram = encode(ack(options, file=b"pxelinux.0"))
        assert codes(options_field(datagram)) == [53, 43, 15, 52]
        assert walk(options_field(datagram))[-1] == (52, b"\x02")
        assert walk(sname_field(datagram)) == [(12, b"h" * 60)]
        assert file_field(datagram) == b"pxelinux.0".ljust(128, b"\0")
        packet = decode(datagram)
        assert packet.options == options
        assert (packet.sname, packet.file) == (b"", b"pxelinux.0")

    def test_a_split_uses_the_last_bytes_of_each_field(self) -> None:
        # No room for 12 whole anywhere: ISC splits it over the options field and
        # sname; 15 then fits nowhere and is left out.
        options = {53: b"\x05", 43: bytes(250), 12: b"h" * 100, 15: b"d" * 50}
        datagram = encode(ack(options, file=b"pxelinux.0"))
        assert [(c, len(v)) for c, v in walk(options_field(datagram))] == [
            (53, 1), (43, 250), (12, 48), (52, 1)
        ]  # fmt: skip
        assert [(c, len(v)) for c, v in walk(sname_field(datagram))] == [(12, 52)]
        assert decode(datagram).options == {53: b"\x05", 43: bytes(250), 12: b"h" * 100}

    def test_bootp_replies_never_overload(self) -> None:
        datagram = encode(ack({43: bytes(40), 12: b"h" * 30}), max_size=0)
        assert walk(options_field(datagram)) == [(43, bytes(40))]
        assert datagram[44:236] == bytes(192)

    def test_a_split_option_spills_from_the_options_field_into_file(self) -> None:
        # ISC fills the options field to 3 bytes short (for option 52), which then
        # leaves no room for END there: the field ends with 52, as ISC's does.
        value = bytes(range(200)) * 2
        datagram = encode(ack({53: b"\x05", 43: value}))
        assert [(c, len(v)) for c, v in walk(options_field(datagram))] == [
            (53, 1), (43, 255), (43, 43), (52, 1)
        ]  # fmt: skip
        assert len(datagram) == 576 - 28
        assert datagram[-3:] == b"\x34\x01\x01"
        assert [(c, len(v)) for c, v in walk(file_field(datagram))] == [(43, 102)]
        assert decode(datagram).options[43] == value


class TestRelayAgentInformation:
    def test_82_gets_room_of_its_own_beyond_max_size(self) -> None:
        agent = b"\x01\x0aport-1/2/3"
        full = {53: b"\x05", 43: bytes(250), 12: b"h" * 48}  # fills the options field
        datagram = encode(ack({**full, 82: agent}, file=b"f", sname=b"s"))
        assert codes(options_field(datagram)) == [53, 43, 12, 82]
        assert len(datagram) == len(encode(ack(full, file=b"f", sname=b"s"))) + 2 + len(agent)
        assert len(datagram) > 576 - 28

    def test_82_fits_after_an_options_field_filled_to_the_last_byte(self) -> None:
        value = bytes(range(200)) * 2
        datagram = encode(ack({53: b"\x05", 43: value, 82: b"\x01\x01x"}))
        assert codes(options_field(datagram)) == [53, 43, 43, 52, 82]
        assert datagram[-5:] == b"\x52\x03\x01\x01x"  # and no room left for END
        assert len(datagram) == 576 - 28 + 5

    def test_at_1500_bytes_82_takes_its_room_from_the_other_options(self) -> None:
        options = {53: b"\x05", **{code: bytes(250) for code in range(43, 47)}}
        options |= {47: bytes(210), 82: b"\x01\x08circuit1"}
        datagram = encode(ack(options, file=b"f", sname=b"s"), max_size=1500)
        assert codes(options_field(datagram)) == [53, 43, 44, 45, 46, 82]
        assert len(datagram) <= 1500 - 28

    def test_82_follows_the_overload_option(self) -> None:
        options = {53: b"\x05", 43: bytes(250), 12: b"h" * 100, 82: b"\x01\x01x"}
        assert codes(options_field(encode(ack(options)))) == [53, 43, 52, 82]


class TestFixedPart:
    def test_names_are_nul_padded_and_cut_to_their_fields(self) -> None:
        datagram = encode(ack(sname=b"s" * 70, file=b"boot.img"))
        assert sname_field(datagram) == b"s" * 64
        assert file_field(datagram) == b"boot.img".ljust(128, b"\0")

    def test_chaddr_is_nul_padded_and_hlen_written_as_given(self) -> None:
        datagram = encode(ack(hlen=4, chaddr=b"\x01\x02\x03\x04"))
        assert datagram[2] == 4
        assert datagram[28:44] == b"\x01\x02\x03\x04".ljust(16, b"\0")

    def test_without_the_cookie_it_is_a_plain_bootp_reply(self) -> None:
        datagram = encode(ack({}, has_cookie=False))
        assert len(datagram) == 300
        assert datagram[236:] == bytes(64)
        assert decode(datagram) == ack({}, has_cookie=False)


class TestReplySizeLimit:
    @pytest.mark.parametrize(
        ("options", "limit"),
        [
            ({53: b"\x01"}, 576),
            ({53: b"\x01", 57: b"\x05\xdc"}, 1500),
            ({53: b"\x01", 57: b"\x01\x90"}, 400),  # encode raises it to 576
            ({53: b"\x01", 57: b"\x05"}, 576),  # too short to read
            ({}, 328),  # BOOTP: 64-byte vendor area
            ({57: b"\x02\x40"}, 576),  # ISC honours 57 from a BOOTP client too
        ],
    )
    def test_option_57_or_iscs_default(self, options: dict[int, bytes], limit: int) -> None:
        assert reply_size_limit(ack(options, op=1)) == limit
