"""binary-to-ascii digits and the request as bytes.

The binary-to-ascii expectations marked "observed" are what dhcpd 4.4.3-P1 logged for
the same expression (see test_execute.py for the harness).
"""

from __future__ import annotations

from domain.dhcp_packet import DhcpPacket
from domain.eval_bytes import binary_to_ascii, encoded_packet, packed_address


def test_mac_address_in_hex_drops_leading_zeros() -> None:
    assert binary_to_ascii(16, 8, b":", bytes.fromhex("001a2b0c0d0e")) == b"0:1a:2b:c:d:e"


def test_dotted_quad() -> None:
    assert binary_to_ascii(10, 8, b".", bytes([10, 0, 0, 100])) == b"10.0.0.100"


def test_large_32_bit_numbers_get_dhcpds_extra_leading_zero() -> None:
    # Observed: binary-to-ascii(10, 32, ",", encode-int(4000000000, 32)) = 04000000000.
    assert binary_to_ascii(10, 32, b",", (4000000000).to_bytes(4, "big")) == b"04000000000"
    assert binary_to_ascii(10, 32, b"", (1000000000).to_bytes(4, "big")) == b"1000000000"
    # Observed: base 16 is exact: ee6b2800.
    assert binary_to_ascii(16, 32, b",", (4000000000).to_bytes(4, "big")) == b"ee6b2800"


def test_odd_bases_print_what_dhcpd_prints() -> None:
    # Observed: base 1 prints "00" for 5 and "0" for 0; base 20 prints nothing.
    assert binary_to_ascii(1, 8, b",", b"\x05\x00") == b"00,0"
    assert binary_to_ascii(20, 8, b",", b"\x05\x06") == b","
    assert binary_to_ascii(8, 8, b" ", b"\x07\x08\xff") == b"7 10 377"


def test_width_must_be_8_16_or_32_and_divide_the_buffer() -> None:
    assert binary_to_ascii(10, 16, b".", b"\x01\x02\x03\x04") == b"258.772"
    assert binary_to_ascii(10, 12, b".", b"\x01\x02") is None
    assert binary_to_ascii(10, 16, b".", b"\x01\x02\x03") is None
    assert binary_to_ascii(10, 8, b".", b"") == b""


def test_base_zero_has_no_value_where_dhcpd_would_divide_by_zero() -> None:
    assert binary_to_ascii(0, 8, b".", b"\x01") is None
    assert binary_to_ascii(0, 8, b".", b"") == b""
    assert binary_to_ascii((1 << 32) + 10, 8, b".", b"\x0c") == b"12"


def _packet(**fields: object) -> DhcpPacket:
    values: dict[str, object] = dict(
        op=1, htype=1, hlen=6, hops=2, xid=0x01020304, secs=5, flags=0x8000,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="10.0.0.1",
        chaddr=bytes.fromhex("001a2b0c0d0e"), options={53: b"\x01", 60: b"x" * 300},
    )
    values.update(fields)
    return DhcpPacket(**values)  # type: ignore[arg-type]


def test_the_bootp_header_is_exact() -> None:
    raw = encoded_packet(_packet())
    assert raw[:4] == bytes([1, 1, 6, 2])
    assert raw[4:8] == bytes([1, 2, 3, 4])
    assert raw[8:12] == bytes([0, 5, 0x80, 0])
    assert raw[24:28] == bytes([10, 0, 0, 1])
    assert raw[28:44] == bytes.fromhex("001a2b0c0d0e") + bytes(10)
    assert len(raw[44:236]) == 192
    assert raw[236:240] == bytes([99, 130, 83, 99])


def test_options_follow_in_arrival_order_split_at_255_bytes() -> None:
    raw = encoded_packet(_packet())
    assert raw[240:243] == bytes([53, 1, 1])
    assert raw[243:245] == bytes([60, 255])
    assert raw[500:502] == bytes([60, 45])
    assert raw[-1] == 255


def test_bootp_without_a_cookie_is_the_header_alone() -> None:
    assert len(encoded_packet(_packet(has_cookie=False, options={}))) == 236


def test_addresses_pack_and_garbage_packs_as_zero() -> None:
    assert packed_address("10.0.0.100") == bytes([10, 0, 0, 100])
    assert packed_address("not an address") == bytes(4)
