"""The DHCP wire codec's promises, checked on generated packets.

- decode never raises anything but MalformedPacket, whatever the bytes: random bytes,
  random bytes behind a real header and cookie, and real captures cut or corrupted;
- decode(encode(p)) == p whenever the options fit (a generous size limit);
- at any size limit, encode never corrupts: every option read back is exactly what
  was written, only whole options go missing, the datagram stays within the limit
  (plus the relay's option 82), and the higher-priority options are the ones kept.
"""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.dhcp_wire.decode import MalformedPacket, decode
from adapters.dhcp_wire.encode import encode
from domain.dhcp_packet import DhcpPacket

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "adapters" / "dhcp_wire" / "fixtures"
REAL = [bytes.fromhex(path.read_text()) for path in sorted(FIXTURES.glob("*.hex"))]
COOKIE = bytes([99, 130, 83, 99])

CODEC_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

addresses = st.builds(socket.inet_ntoa, st.binary(min_size=4, max_size=4))
# Codes the codec owns (PAD, 52, END) are not the caller's; 53 decides DHCP vs BOOTP.
option_codes = st.integers(1, 254).filter(lambda code: code not in (52, 53))
names = st.binary(max_size=64).map(lambda raw: raw.replace(b"\0", b"x"))


def decodes_or_is_malformed(datagram: bytes) -> DhcpPacket | None:
    """The packet, or None when decode refused it with one printable log line."""
    try:
        return decode(datagram)
    except MalformedPacket as error:
        assert error.reason
        assert error.log_line.isprintable()
        return None


@st.composite
def packets(draw: st.DrawFn, *, max_option_length: int = 300) -> DhcpPacket:
    hlen = draw(st.integers(0, 16))
    options = draw(
        st.dictionaries(option_codes, st.binary(min_size=1, max_size=max_option_length), max_size=8)
    )
    if draw(st.booleans()):
        options = {53: bytes([draw(st.integers(1, 8))]), **options}
    return DhcpPacket(
        op=draw(st.sampled_from([1, 2])),
        htype=draw(st.integers(0, 255)),
        hlen=hlen,
        hops=draw(st.integers(0, 255)),
        xid=draw(st.integers(0, 2**32 - 1)),
        secs=draw(st.integers(0, 2**16 - 1)),
        flags=draw(st.integers(0, 2**16 - 1)),
        ciaddr=draw(addresses),
        yiaddr=draw(addresses),
        siaddr=draw(addresses),
        giaddr=draw(addresses),
        chaddr=draw(st.binary(min_size=hlen, max_size=hlen)),
        sname=draw(st.one_of(st.just(b""), names)),
        file=draw(st.one_of(st.just(b""), names.map(lambda n: n * 2))),
        options=options,
    )


@CODEC_SETTINGS
@given(st.binary(max_size=700))
def test_random_bytes_decode_or_are_malformed(datagram: bytes) -> None:
    decodes_or_is_malformed(datagram)


@CODEC_SETTINGS
@given(st.binary(min_size=236, max_size=236), st.binary(max_size=400))
def test_random_options_behind_a_cookie_decode_or_are_malformed(
    header: bytes, options: bytes
) -> None:
    # Random headers mostly have a bogus hlen; give most of them a valid one.
    fixed = header[:2] + bytes([header[2] % 20]) + header[3:]
    packet = decodes_or_is_malformed(fixed + COOKIE + options)
    if packet is not None:
        assert packet.has_cookie
        assert len(packet.chaddr) == fixed[2]


@CODEC_SETTINGS
@given(st.sampled_from(REAL), st.data())
def test_corrupted_real_packets_decode_or_are_malformed(
    datagram: bytes, data: st.DataObject
) -> None:
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(datagram) - 1), st.integers(0, 255)), max_size=6)
    )
    corrupted = bytearray(datagram)
    for position, value in edits:
        corrupted[position] = value
    cut = data.draw(st.integers(0, len(corrupted)))
    decodes_or_is_malformed(bytes(corrupted[:cut]))


@CODEC_SETTINGS
@given(packets(max_option_length=120))
def test_round_trip_when_everything_fits(packet: DhcpPacket) -> None:
    # At most 8 options of 120 bytes: under 1000 bytes, which 1500 always holds.
    assert decode(encode(packet, max_size=1500)) == packet


@CODEC_SETTINGS
@given(packets(max_option_length=300))
def test_round_trip_with_long_options(packet: DhcpPacket) -> None:
    datagram = encode(packet, max_size=1500)
    back = decode(datagram)
    if sum(len(value) + 4 for value in packet.options.values()) < 1200:
        assert back == packet


@CODEC_SETTINGS
@given(
    packets(),
    st.integers(0, 1600),
    st.one_of(st.none(), st.binary(min_size=1, max_size=60)),
)
def test_a_crowded_reply_loses_whole_options_and_never_corrupts(
    packet: DhcpPacket, max_size: int, agent: bytes | None
) -> None:
    if agent is not None:
        packet = dataclasses.replace(packet, options={**packet.options, 82: agent})
    datagram = encode(packet, max_size=max_size)
    back = decode(datagram)

    for code, value in back.options.items():
        assert packet.options[code] == value
    is_dhcp = 53 in packet.options
    clamped = min(max(max_size, 576 if is_dhcp else 328), 1500)
    relayed = packet.options.get(82, b"")
    agent_size = len(relayed) + 2 * -(-len(relayed) // 255)  # RFC 3396 instances
    options_room = min(clamped - 28 - 236 + agent_size, 1500 - 28 - 236)
    assert len(datagram) <= max(300, 236 + options_room)
    if is_dhcp:
        assert next(iter(back.options)) == 53
    # The fixed part survives whatever happens to the options; a field holding a name
    # is never used for options, and one used for options reads back empty.
    assert dataclasses.replace(back, options=packet.options) == packet


@CODEC_SETTINGS
@given(st.lists(st.binary(min_size=1, max_size=200), min_size=2, max_size=6))
def test_options_are_kept_greedily_in_priority_order(values: list[bytes]) -> None:
    """With `sname` and `file` taken, an option is kept when it still fits the options
    field leaving 3 bytes for 52 and END (the last one: 1 byte, for END)."""
    codes = list(range(200, 200 + len(values)))
    packet = DhcpPacket(
        op=2, htype=1, hlen=6, hops=0, xid=1, secs=0, flags=0, ciaddr="0.0.0.0",
        yiaddr="10.0.0.9", siaddr="0.0.0.0", giaddr="0.0.0.0", chaddr=b"\x02" * 6,
        sname=b"taken", file=b"taken",
        options={53: b"\x05", **dict(zip(codes, values, strict=True))},
    )  # fmt: skip
    kept = decode(encode(packet, option_order=codes)).options
    field = 576 - 28 - 236 - 4  # after the cookie
    used, expected = 3, []  # option 53
    for position, (code, value) in enumerate(zip(codes, values, strict=True)):
        spare = 1 if position == len(codes) - 1 else 3
        if used + 2 + len(value) + spare <= field:
            expected.append(code)
            used += 2 + len(value)
    assert [code for code in kept if code != 53] == expected
    assert codes[0] in kept


@CODEC_SETTINGS
@given(packets(max_option_length=120), st.data())
def test_every_cut_of_an_encoded_packet_decodes_or_is_malformed(
    packet: DhcpPacket, data: st.DataObject
) -> None:
    datagram = encode(packet)
    decodes_or_is_malformed(datagram[: data.draw(st.integers(0, len(datagram)))])
