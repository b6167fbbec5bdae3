"""The fixed-part struct puts every field where RFC 2131 §2 says it is."""

from __future__ import annotations

from adapters.dhcp_wire.layout import (
    BOOTP_MESSAGE_SIZE,
    COOKIE,
    FILE_OFFSET,
    FILE_SIZE,
    HEADER,
    HEADER_SIZE,
    OPTIONS_START,
    SNAME_OFFSET,
    SNAME_SIZE,
)


def test_the_fixed_part_is_236_bytes_and_options_start_after_the_cookie() -> None:
    assert HEADER.size == HEADER_SIZE == 236
    assert COOKIE == b"\x63\x82\x53\x63"  # 99.130.83.99, RFC 2131 §3
    assert OPTIONS_START == 240


def test_fields_land_at_their_rfc_offsets_in_network_order() -> None:
    packed = HEADER.pack(
        2, 1, 6, 3, 0x01020304, 0x0506, 0x8000,
        b"\x0a\0\0\x01", b"\x0a\0\0\x02", b"\x0a\0\0\x03", b"\x0a\0\0\x04",
        b"\xaa" * 16, b"S" * SNAME_SIZE, b"F" * FILE_SIZE,
    )  # fmt: skip
    assert packed[0:4] == bytes([2, 1, 6, 3])
    assert packed[4:8] == bytes([1, 2, 3, 4])
    assert packed[8:12] == bytes([5, 6, 0x80, 0])
    assert packed[12:28] == b"\x0a\0\0\x01\x0a\0\0\x02\x0a\0\0\x03\x0a\0\0\x04"
    assert packed[28:44] == b"\xaa" * 16
    assert packed[SNAME_OFFSET : SNAME_OFFSET + SNAME_SIZE] == b"S" * 64
    assert packed[FILE_OFFSET : FILE_OFFSET + FILE_SIZE] == b"F" * 128
    assert (SNAME_OFFSET, FILE_OFFSET) == (44, 108)


def test_a_default_bootp_reply_has_a_64_byte_vendor_area() -> None:
    # 20 (IP) + 8 (UDP) + 236 + 64 = 328: ISC's 64-byte BOOTP vendor area.
    assert BOOTP_MESSAGE_SIZE - 28 - HEADER_SIZE == 64
