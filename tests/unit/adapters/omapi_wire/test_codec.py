"""The OMAPI codec: layouts built by hand from ISC's rules (omapip/protocol.c,
omapip/buffer.c), round trips, partial feeds, what the signature covers, and refusals."""

from __future__ import annotations

import hashlib
import hmac
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.omapi_wire import (
    HEADER_SIZE,
    MAX_HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    MAX_NAME_SIZE,
    MAX_SIGNATURE_SIZE,
    MAX_VALUE_SIZE,
    PROTOCOL_VERSION,
    Intro,
    MalformedOmapiMessage,
    OmapiKey,
    OmapiMessage,
    OmapiReader,
    Op,
    Received,
    boolean_value,
    encode,
    handle_value,
    int_value,
    intro,
    qualified_algorithm,
    read_int,
)

KEY = OmapiKey("omapi-key", "hmac-md5", b"0123456789abcdef")


def words(*numbers: int) -> bytes:
    return b"".join(struct.pack(">I", number) for number in numbers)


def pair(name: bytes, value: bytes) -> bytes:
    """One name/value pair by hand: u16 name length, name, u32 value length, value."""
    return struct.pack(">H", len(name)) + name + struct.pack(">I", len(value)) + value


def read_all(data: bytes) -> list[Received]:
    return OmapiReader().feed(data)


STATUS = OmapiMessage(authid=0, op=Op.STATUS, handle=0, id=0x11223344, rid=9,
                      message_values=((b"result", int_value(0)), (b"message", b"ok")))


def test_intro_is_version_100_and_a_24_byte_header() -> None:
    assert intro() == bytes.fromhex("00000064" "00000018")


def test_an_unsigned_message_is_laid_out_as_isc_sends_it() -> None:
    expected = (words(0, 0, 5, 0, 0x11223344, 9)
                + pair(b"result", bytes(4)) + pair(b"message", b"ok") + b"\0\0"
                + b"\0\0")
    assert encode(STATUS) == expected


def test_a_signed_message_signs_everything_after_the_authid() -> None:
    message = OmapiMessage(authid=3, op=Op.UPDATE, handle=42, id=100, rid=77,
                           object_values=((b"name", b"fo"), (b"local-state", words(2))))
    body = words(16, 3, 42, 100, 77) + b"\0\0" + pair(b"name", b"fo") + pair(
        b"local-state", words(2)) + b"\0\0"
    signature = hmac.new(KEY.secret, body, hashlib.md5).digest()

    assert encode(message, KEY) == words(3) + body + signature


def test_reading_gives_the_message_and_the_signed_bytes() -> None:
    message = OmapiMessage(authid=3, op=Op.OPEN, handle=0, id=5, rid=0,
                           message_values=((b"type", b"lease"), (b"create", boolean_value(True))),
                           object_values=((b"ip-address", bytes([10, 0, 0, 1])),))
    wire = encode(message, KEY)

    [(received, signed)] = read_all(intro() + wire)

    assert received == OmapiMessage(authid=3, op=Op.OPEN, handle=0, id=5, rid=0,
                                    message_values=message.message_values,
                                    object_values=message.object_values,
                                    signature=wire[-16:])
    assert signed == wire[4:-16]
    assert KEY.verify(signed, received.signature)
    assert not OmapiKey("omapi-key", "hmac-md5", b"another").verify(signed, received.signature)
    assert encode(received) == wire  # as received, authlen from the signature kept


def test_the_reader_shows_the_peer_intro_once_it_is_in() -> None:
    reader = OmapiReader()
    assert reader.feed(intro()[:5]) == []
    assert reader.intro is None
    assert reader.feed(intro()[5:]) == []
    assert reader.intro == Intro(PROTOCOL_VERSION, HEADER_SIZE)


def test_a_byte_at_a_time_reads_as_all_at_once() -> None:
    stream = intro() + encode(STATUS) + encode(
        OmapiMessage(authid=1, op=Op.REFRESH, handle=8, id=2, rid=0), KEY) + encode(STATUS)
    reader = OmapiReader()
    trickled = [received for byte in stream for received in reader.feed(bytes([byte]))]

    assert trickled == read_all(stream)
    assert [received.message.op for received in trickled] == [Op.STATUS, Op.REFRESH, Op.STATUS]


def test_extra_header_bytes_are_skipped_and_not_signed() -> None:
    body = b"\0\0" + pair(b"name", b"x") + b"\0\0"
    header = words(4, 16, 2, 9, 1, 0)
    signature = hmac.new(KEY.secret, header[4:] + body, hashlib.md5).digest()
    peer_intro = words(PROTOCOL_VERSION, HEADER_SIZE + 6)

    [(received, signed)] = read_all(peer_intro + header + b"extra!" + body + signature)

    assert received.object_values == ((b"name", b"x"),)
    assert (received.authid, received.op, received.handle) == (4, Op.REFRESH, 9)
    assert signed == header[4:] + body
    assert KEY.verify(signed, received.signature)


def test_an_authlen_without_a_key_still_carries_its_bytes() -> None:
    wire = words(0, 3, 5, 0, 1, 0) + b"\0\0\0\0" + b"abc"
    [(received, _signed)] = read_all(intro() + wire)
    assert received.signature == b"abc"


@pytest.mark.parametrize(("peer_intro", "reason"), [
    (words(101, 24), "protocol version 101, not 100"),
    (words(100, 23), "header size 23 below 24"),
    (words(100, MAX_HEADER_SIZE + 1), f"header size {MAX_HEADER_SIZE + 1} above"),
])
def test_a_bad_intro_is_refused(peer_intro: bytes, reason: str) -> None:
    with pytest.raises(MalformedOmapiMessage, match=reason):
        read_all(peer_intro)


@pytest.mark.parametrize(("message", "reason"), [
    (words(0, MAX_SIGNATURE_SIZE + 1, 1, 0, 1, 0), "authlen"),
    (words(0, 0, 1, 0, 1, 0) + struct.pack(">H", MAX_NAME_SIZE + 1), "name of"),
    (words(0, 0, 1, 0, 1, 0) + struct.pack(">H", 1) + b"v" + words(MAX_VALUE_SIZE + 1),
     "value 'v' of"),
])
def test_over_long_fields_are_refused(message: bytes, reason: str) -> None:
    with pytest.raises(MalformedOmapiMessage, match=reason):
        read_all(intro() + message)


def test_an_over_long_message_is_refused_and_the_reader_stays_refusing() -> None:
    big = pair(b"v", bytes(MAX_VALUE_SIZE))
    count = MAX_MESSAGE_SIZE // len(big) + 1
    reader = OmapiReader()
    with pytest.raises(MalformedOmapiMessage, match="longer than"):
        reader.feed(intro() + words(0, 0, 1, 0, 1, 0) + big * count)
    with pytest.raises(MalformedOmapiMessage, match="longer than"):
        reader.feed(intro())


def test_integer_values_are_four_big_endian_bytes() -> None:
    assert int_value(0x01020304) == bytes([1, 2, 3, 4])
    assert int_value(-1) == b"\xff\xff\xff\xff"  # a C int sent as u_int32_t
    assert handle_value(7) == int_value(7)
    assert boolean_value(False) == bytes(4)
    assert read_int(int_value(0xFFFFFFFE)) == 0xFFFFFFFE
    with pytest.raises(ValueError):
        int_value(1 << 32)


@pytest.mark.parametrize("value", [b"", b"\x01", b"\0\0\x01", b"\0\0\0\0\x01"])
def test_only_four_byte_values_read_as_integers(value: bytes) -> None:
    assert read_int(value) is None


def test_encode_refuses_what_cannot_go_on_the_wire() -> None:
    with pytest.raises(ValueError, match="name of 0 bytes"):
        encode(OmapiMessage(authid=0, op=1, handle=0, id=1, rid=0,
                            object_values=((b"", b"x"),)))
    with pytest.raises(ValueError, match="handle outside 32 bits"):
        encode(OmapiMessage(authid=0, op=1, handle=1 << 32, id=1, rid=0))


def test_algorithm_names_are_qualified_as_dhcpd_conf_qualifies_them() -> None:
    assert qualified_algorithm("hmac-md5") == "hmac-md5.SIG-ALG.REG.INT."
    assert qualified_algorithm("hmac-sha1.sig-alg.reg.int") == "hmac-sha1.sig-alg.reg.int."
    assert qualified_algorithm("HMAC-MD5.SIG-ALG.REG.INT.") == "HMAC-MD5.SIG-ALG.REG.INT."


@pytest.mark.parametrize(("algorithm", "digest"), [
    ("hmac-md5", "md5"),
    ("HMAC-MD5.SIG-ALG.REG.INT.", "md5"),
    ("hmac-sha1", "sha1"),
    ("hmac-sha224.sig-alg.reg.int", "sha224"),
    ("hmac-sha256", "sha256"),
    ("hmac-sha384", "sha384"),
    ("hmac-sha512", "sha512"),
])
def test_keys_sign_with_the_hmac_isc_names(algorithm: str, digest: str) -> None:
    key = OmapiKey("k", algorithm, b"a secret longer than any hash block" * 5)
    expected = hmac.new(key.secret, b"data", digest).digest()
    assert key.usable
    assert key.sign(b"data") == expected
    assert key.signature_size == len(expected)
    assert key.verify(b"data", expected)
    assert not key.verify(b"data", expected[:-1])


def test_hmac_md5_matches_rfc_2202() -> None:
    key = OmapiKey("k", "hmac-md5", b"Jefe")
    assert key.sign(b"what do ya want for nothing?").hex() == "750c783e6ab0b503eaa86e310a5db738"


def test_a_key_isc_cannot_use_signs_nothing() -> None:
    key = OmapiKey("k", "hmac-foo", b"secret")
    assert not key.usable
    assert not key.verify(b"data", b"")
    with pytest.raises(ValueError, match="hmac-foo"):
        key.sign(b"data")


def test_a_key_does_not_show_its_secret() -> None:
    assert "0123456789abcdef" not in repr(KEY)


names = st.binary(min_size=1, max_size=12)
pairs = st.lists(st.tuples(names, st.binary(max_size=40)), max_size=4).map(tuple)
uint32 = st.integers(0, (1 << 32) - 1)
messages = st.builds(OmapiMessage, authid=uint32, op=uint32, handle=uint32, id=uint32,
                     rid=uint32, message_values=pairs, object_values=pairs,
                     signature=st.binary(max_size=64))


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, min_size=1, max_size=3), st.data())
def test_any_messages_survive_any_chunking(batch: list[OmapiMessage], data: st.DataObject) -> None:
    stream = intro() + b"".join(encode(message) for message in batch)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    reader = OmapiReader()
    received = [item for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True)
                for item in reader.feed(stream[start:end])]
    assert [item.message for item in received] == batch
    assert [encode(item.message) for item in received] == [encode(m) for m in batch]


def _feed_in_chunks(stream: bytes, size: int) -> None:
    reader = OmapiReader()
    for start in range(0, len(stream), size):
        reader.feed(stream[start:start + size])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(1, 16))
def test_arbitrary_bytes_raise_only_malformed(stream: bytes, size: int) -> None:
    try:
        _feed_in_chunks(stream, size)
    except MalformedOmapiMessage as error:
        assert error.reason and "\n" not in error.reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 16))
def test_arbitrary_bytes_after_an_intro_raise_only_malformed(stream: bytes, size: int) -> None:
    try:
        _feed_in_chunks(intro() + stream, size)
    except MalformedOmapiMessage as error:
        assert error.reason and "\n" not in error.reason
