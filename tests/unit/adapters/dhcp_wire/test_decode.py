"""decode(): what a datagram means, and what it takes to drop one as ISC dhcpd does.

Hand-built packets follow the RFC 2131 §2 layout byte by byte (written out here, not
with the codec's own struct); real ones come from dhclient and ISC dhcpd (fixtures/).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from adapters.dhcp_wire.decode import (
    BOGUS_HLEN_LINE,
    ZERO_LENGTH_CLIENT_ID_LINE,
    MalformedPacket,
    decode,
)
from domain.dhcp_packet import MessageType

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = ("plain", "overload", "split", "both", "drop", "relay")
MESSAGES = ("discover", "offer", "request", "ack")
COOKIE = bytes([99, 130, 83, 99])
MAC = bytes.fromhex("020000000001")


def fixture(name: str) -> bytes:
    return bytes.fromhex((FIXTURES / f"{name}.hex").read_text())


def rfc_header(
    *,
    op: int = 1,
    hlen: int = 6,
    chaddr: bytes = MAC,
    ciaddr: str = "0.0.0.0",
    giaddr: str = "0.0.0.0",
    sname: bytes = b"",
    file: bytes = b"",
) -> bytes:
    """The 236-byte fixed part, field after field as RFC 2131 §2 draws it."""
    return (
        bytes([op, 1, hlen, 0])  # op, htype (Ethernet), hlen, hops
        + bytes.fromhex("12345678")  # xid
        + bytes.fromhex("0005")  # secs
        + bytes.fromhex("8000")  # flags: broadcast
        + socket.inet_aton(ciaddr)
        + socket.inet_aton("0.0.0.0")  # yiaddr
        + socket.inet_aton("0.0.0.0")  # siaddr
        + socket.inet_aton(giaddr)
        + chaddr.ljust(16, b"\0")
        + sname.ljust(64, b"\0")
        + file.ljust(128, b"\0")
    )


def dhcp(options: bytes, **header: Any) -> bytes:
    return rfc_header(**header) + COOKIE + options


def malformed(datagram: bytes) -> MalformedPacket:
    with pytest.raises(MalformedPacket) as caught:
        decode(datagram)
    return caught.value


DISCOVER = b"\x35\x01\x01" + b"\x3d\x07\x01" + MAC + b"\x37\x03\x01\x03\x06" + b"\xff"


class TestFixedPart:
    def test_fields_are_read_at_their_rfc_offsets(self) -> None:
        packet = decode(dhcp(DISCOVER, ciaddr="10.0.0.7", giaddr="10.9.0.1"))
        assert (packet.op, packet.htype, packet.hlen, packet.hops) == (1, 1, 6, 0)
        assert (packet.xid, packet.secs, packet.flags) == (0x12345678, 5, 0x8000)
        assert packet.broadcast
        assert (packet.ciaddr, packet.yiaddr, packet.siaddr, packet.giaddr) == (
            "10.0.0.7",
            "0.0.0.0",
            "0.0.0.0",
            "10.9.0.1",
        )
        assert packet.chaddr == MAC
        assert packet.message_type is MessageType.DHCPDISCOVER

    def test_chaddr_is_cut_to_hlen(self) -> None:
        packet = decode(dhcp(DISCOVER, hlen=4, chaddr=bytes(range(1, 17))))
        assert packet.chaddr == bytes([1, 2, 3, 4])

    def test_hlen_16_is_the_whole_field(self) -> None:
        assert decode(dhcp(DISCOVER, hlen=16, chaddr=bytes(range(16)))).chaddr == bytes(range(16))

    def test_hlen_over_16_is_dropped_with_iscs_line(self) -> None:
        error = malformed(dhcp(DISCOVER, hlen=17))
        assert error.reason == "bogus hlen 17"
        assert error.log_line == BOGUS_HLEN_LINE == "Discarding packet with bogus hlen."

    def test_names_end_at_the_first_nul(self) -> None:
        packet = decode(dhcp(DISCOVER, sname=b"boot-server\0junk", file=b"pxelinux.0"))
        assert (packet.sname, packet.file) == (b"boot-server", b"pxelinux.0")

    @pytest.mark.parametrize("size", [0, 1, 100, 235])
    def test_shorter_than_the_fixed_part_is_dropped(self, size: int) -> None:
        error = malformed(dhcp(DISCOVER)[:size])
        assert str(error) == error.reason == error.log_line == f"packet too short ({size} bytes)"


class TestCookie:
    @pytest.mark.parametrize("tail", [b"", b"\x63\x82", b"\x63\x82\x53\x64" + DISCOVER])
    def test_without_the_cookie_it_is_bootp_without_options(self, tail: bytes) -> None:
        packet = decode(rfc_header() + tail)
        assert not packet.has_cookie
        assert packet.options == {}
        assert packet.message_type is None

    def test_cookie_alone_means_no_options(self) -> None:
        packet = decode(rfc_header() + COOKIE)
        assert packet.has_cookie
        assert packet.options == {}


class TestOptions:
    def test_arrival_order_is_kept(self) -> None:
        assert list(decode(dhcp(DISCOVER)).options) == [53, 61, 55]

    def test_pad_is_skipped_and_end_stops_parsing(self) -> None:
        packet = decode(dhcp(b"\0\0\x35\x01\x03\0\x0c\x02ab\xff\x0c\x05junk!"))
        assert packet.options == {53: b"\x03", 12: b"ab"}

    def test_options_may_run_to_the_end_of_the_datagram(self) -> None:
        assert decode(dhcp(b"\x35\x01\x01\x0c\x02ab")).options == {53: b"\x01", 12: b"ab"}

    def test_a_code_without_its_length_byte_is_malformed(self) -> None:
        assert malformed(dhcp(b"\x35\x01\x01\x0c")).reason == (
            "option 12 has no length byte in the options field"
        )

    def test_a_length_past_the_end_is_malformed(self) -> None:
        assert malformed(dhcp(b"\x35\x05\x01")).reason == "option 53 overruns the options field"

    def test_instances_of_one_code_are_joined_in_order(self) -> None:
        packet = decode(dhcp(b"\x2b\x02ab\x35\x01\x01\x2b\x01c\x2b\x00\x2b\x02de\xff"))
        assert packet.options == {43: b"abcde", 53: b"\x01"}

    def test_an_empty_host_name_is_ignored(self) -> None:
        assert 12 not in decode(dhcp(b"\x35\x01\x01\x0c\x00\xff")).options

    def test_an_empty_host_name_after_a_real_one_changes_nothing(self) -> None:
        assert decode(dhcp(b"\x0c\x01a\x0c\x00\xff")).options[12] == b"a"

    def test_an_empty_client_identifier_is_dropped_with_iscs_line(self) -> None:
        error = malformed(dhcp(b"\x35\x01\x01\x3d\x00\xff"))
        assert error.reason == "zero-length client identifier (option 61)"
        assert error.log_line == ZERO_LENGTH_CLIENT_ID_LINE

    def test_a_client_identifier_joined_from_an_empty_instance_is_kept(self) -> None:
        assert decode(dhcp(b"\x3d\x00\x3d\x02\x01\x02\xff")).options[61] == b"\x01\x02"

    def test_other_empty_options_are_kept(self) -> None:
        assert decode(dhcp(b"\x50\x00\xff")).options == {80: b""}

    def test_relay_agent_information_stays_raw(self) -> None:
        agent = b"\x01\x03eth\x02\x02\xab\xcd"
        packet = decode(dhcp(b"\x35\x01\x01\x52" + bytes([len(agent)]) + agent + b"\xff"))
        assert packet.options[82] == agent
        assert packet.agent_suboptions() == {1: b"eth", 2: b"\xab\xcd"}

    def test_a_bytearray_decodes_to_bytes(self) -> None:
        packet = decode(bytearray(dhcp(DISCOVER)))
        assert type(packet.options[61]) is bytes
        assert packet == decode(dhcp(DISCOVER))


class TestOverload:
    """Option 52: options go on in `file` (bit 1), then `sname` (bit 2)."""

    def overloaded(self, where: int, *, sname: bytes, file: bytes, main: bytes = b"") -> bytes:
        return dhcp(
            b"\x35\x01\x02" + main + bytes([52, 1, where]) + b"\xff", sname=sname, file=file
        )

    def test_file_then_sname_hold_options_and_the_fields_are_not_names(self) -> None:
        packet = decode(self.overloaded(3, sname=b"\x0f\x03lab\xff", file=b"\x0c\x04host\xff"))
        assert packet.options == {53: b"\x02", 12: b"host", 15: b"lab"}
        assert (packet.sname, packet.file) == (b"", b"")

    def test_file_only_leaves_sname_a_name(self) -> None:
        packet = decode(self.overloaded(1, sname=b"server", file=b"\x0c\x01h\xff"))
        assert packet.options[12] == b"h"
        assert (packet.sname, packet.file) == (b"server", b"")

    def test_sname_only_leaves_file_a_name(self) -> None:
        packet = decode(self.overloaded(2, sname=b"\x0c\x01h\xff", file=b"boot.img"))
        assert packet.options[12] == b"h"
        assert (packet.sname, packet.file) == (b"", b"boot.img")

    def test_without_52_the_fields_are_names_even_if_they_look_like_options(self) -> None:
        packet = decode(dhcp(b"\x35\x01\x02\xff", file=b"\x0c\x01h\xff"))
        assert 12 not in packet.options
        assert packet.file == b"\x0c\x01h\xff"

    def test_rfc_3396_joins_across_options_then_file_then_sname(self) -> None:
        # sname comes before file in the datagram, but RFC 3396 reads file first.
        packet = decode(
            self.overloaded(3, main=b"\x2b\x02ab", file=b"\x2b\x02cd\xff", sname=b"\x2b\x02ef\xff")
        )
        assert packet.options[43] == b"abcdef"

    def test_option_52_is_the_codecs_business_and_not_kept(self) -> None:
        assert 52 not in decode(self.overloaded(1, sname=b"", file=b"\xff")).options

    def test_a_52_inside_file_does_not_open_sname(self) -> None:
        packet = decode(self.overloaded(1, sname=b"\x0c\x01h\xff", file=b"\x34\x01\x02\xff"))
        assert 12 not in packet.options
        assert 52 not in packet.options
        assert packet.sname == b"\x0c\x01h\xff"

    def test_an_empty_52_is_malformed(self) -> None:
        assert malformed(dhcp(b"\x34\x00\xff")).reason == "option 52 (overload) is empty"

    def test_an_overrun_in_file_names_the_field(self) -> None:
        error = malformed(self.overloaded(1, sname=b"", file=b"\x0c\x7f" + b"x" * 126))
        assert error.reason == "option 12 overruns the file field"

    def test_a_length_byte_missing_at_the_end_of_sname_names_the_field(self) -> None:
        error = malformed(self.overloaded(2, sname=b"\0" * 63 + b"\x0c", file=b""))
        assert error.reason == "option 12 has no length byte in the sname field"


class TestRealPackets:
    def test_dhclient_discover(self) -> None:
        packet = decode(fixture("plain-discover"))
        assert packet.message_type is MessageType.DHCPDISCOVER
        assert (packet.op, packet.htype, packet.hlen, packet.chaddr) == (1, 1, 6, MAC)
        assert packet.options[12] == b"llfix"
        assert packet.options[61] == b"\x01" + MAC
        assert list(packet.options[55]) == [1, 28, 2, 3, 15, 6, 119, 12, 26, 42]
        assert len(fixture("plain-discover")) == 300

    def test_isc_offer(self) -> None:
        discover, offer = decode(fixture("plain-discover")), decode(fixture("plain-offer"))
        assert offer.message_type is MessageType.DHCPOFFER
        assert (offer.op, offer.xid, offer.chaddr) == (2, discover.xid, MAC)
        assert offer.yiaddr.startswith("10.67.0.")
        assert list(offer.options) == [53, 54, 51, 1, 3, 15, 6]
        assert offer.options[54] == socket.inet_aton("10.67.0.1")
        assert offer.options[51] == (600).to_bytes(4, "big")
        assert offer.options[15] == b"lab.example"

    def test_isc_ack_overloaded_into_file_and_sname(self) -> None:
        ack = decode(fixture("both-ack"))
        assert ack.message_type is MessageType.DHCPACK
        assert ack.options[12] == b"h" * 60
        assert ack.options[42] == b"".join(socket.inet_aton(f"10.67.1.{n}") for n in range(1, 31))
        assert ack.options[6] == b"".join(socket.inet_aton(f"10.67.3.{n}") for n in range(1, 64))
        assert (ack.sname, ack.file) == (b"", b"")

    def test_isc_ack_with_an_option_in_two_instances(self) -> None:
        ack = decode(fixture("split-ack"))
        assert ack.options[42] == b"".join(socket.inet_aton(f"10.67.2.{n}") for n in range(1, 67))

    def test_relayed_request_and_reply_carry_option_82(self) -> None:
        request, ack = decode(fixture("relay-request")), decode(fixture("relay-ack"))
        assert (request.giaddr, request.hops) == ("10.68.0.1", 1)
        assert request.agent_suboptions() == {1: b"vrc"}
        assert ack.options[82] == request.options[82]
        assert ack.yiaddr.startswith("10.68.0.")


@pytest.mark.parametrize("name", [f"{s}-{m}" for s in SCENARIOS for m in MESSAGES])
def test_every_truncation_of_a_real_packet_decodes_or_is_malformed(name: str) -> None:
    """Cut anywhere, a packet is still either a packet or one MalformedPacket."""
    datagram = fixture(name)
    outcomes = set()
    for size in range(len(datagram) + 1):
        try:
            decode(datagram[:size])
            outcomes.add("decoded")
        except MalformedPacket:
            outcomes.add("malformed")
    assert outcomes == {"decoded", "malformed"}
