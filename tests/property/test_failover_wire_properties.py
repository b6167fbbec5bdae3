"""The failover wire codec's promises, checked on generated messages.

- decode(encode(m)) == m for every message of every type, with any option values that
  fit their wire sizes, and encode(decode(b)) == b for those bytes;
- decode never raises anything but MalformedFailoverMessage, whatever the bytes: random
  bytes, random options behind a well-formed header, and real ISC captures cut short or
  corrupted; its reason is always one printable log line.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.failover_wire.decode import MalformedFailoverMessage, decode
from adapters.failover_wire.encode import encode
from domain.failover_messages import (
    FailoverMessage,
    UnknownMessage,
)
from tests.failover_message_strategies import messages

FIXTURES = (
    Path(__file__).resolve().parents[1] / "unit" / "adapters" / "failover_wire" / "fixtures"
)
REAL = [
    bytes.fromhex(line)
    for path in sorted(FIXTURES.glob("*.hex"))
    for line in path.read_text().split()
]

CODEC_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def decodes_or_is_malformed(data: bytes) -> FailoverMessage | UnknownMessage | None:
    """The message, or None when decode refused it with one printable log line."""
    try:
        return decode(data)
    except MalformedFailoverMessage as refusal:
        assert refusal.reason and refusal.reason.isprintable()
        return None


@CODEC_SETTINGS
@given(messages)
def test_every_message_survives_a_round_trip(message: FailoverMessage) -> None:
    data = encode(message)
    assert decode(data) == message
    assert encode(decode(data)) == data  # type: ignore[arg-type]


@CODEC_SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_are_refused_cleanly(data: bytes) -> None:
    decodes_or_is_malformed(data)


@CODEC_SETTINGS
@given(
    st.integers(0, 20),
    st.lists(st.tuples(st.integers(0, 40), st.binary(max_size=8)), max_size=10),
    st.binary(max_size=3),
)
def test_random_options_behind_a_good_header_decode_or_are_refused_cleanly(
    type_code: int, options: list[tuple[int, bytes]], tail: bytes
) -> None:
    body = b"".join(
        code.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data for code, data in options
    ) + tail
    data = (12 + len(body)).to_bytes(2, "big") + bytes((type_code, 12)) + bytes(8) + body
    decoded = decodes_or_is_malformed(data)
    if decoded is not None and not isinstance(decoded, UnknownMessage):
        assert decode(encode(decoded)) == decoded


@CODEC_SETTINGS
@given(st.sampled_from(REAL), st.data())
def test_real_messages_cut_short_are_refused_cleanly(real: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(real) - 1))
    assert decodes_or_is_malformed(real[:cut]) is None


@CODEC_SETTINGS
@given(st.sampled_from(REAL), st.data())
def test_real_messages_corrupted_decode_or_are_refused_cleanly(
    real: bytes, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(real) - 1))
    corrupted = real[:position] + bytes([data.draw(st.integers(0, 255))]) + real[position + 1 :]
    decodes_or_is_malformed(corrupted)
