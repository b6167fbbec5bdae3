"""The OMAPI codec against ISC's own client: omshell talks to a server made of the codec.

The server is a thread with a plain socket on 127.0.0.1 (an ephemeral port) that
answers as dhcpd does (omapip/message.c, omapi_message_process): the unsigned OPEN of an
`authenticator` gets an unsigned UPDATE whose header handle becomes the authid of
omshell's later messages; the signed OPEN of the object gets a signed UPDATE, whose
values omshell prints.  omshell's bytes must re-encode byte for byte, its signatures
verify over `Received.signed`, and omshell must accept our signatures (and refuse a
wrong one), which together pin down what the signature covers.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from adapters.omapi_wire import (
    MalformedOmapiMessage,
    OmapiKey,
    OmapiMessage,
    OmapiReader,
    Op,
    Received,
    encode,
    int_value,
    intro,
    read_int,
)

OMSHELL_TIMEOUT_SECONDS = 20
KEY = OmapiKey("omapi-test", "hmac-md5", b"sixteen byte key")
WRONG_KEY = OmapiKey("omapi-test", "hmac-md5", b"another secret!!")
AUTH_HANDLE = 7  # our handle for the key object: the authid omshell then signs under
OBJECT_HANDLE = 42
INVALID_KEY = (6 << 16) + 11  # DHCP_R_INVALIDKEY (includes/omapip/result.h)

Respond = Callable[[Received], bytes | None]


@dataclass
class Conversation:
    """What one omshell connection sent us: its raw bytes and the messages in them."""

    raw: bytearray = field(default_factory=bytearray)
    received: list[Received] = field(default_factory=list)
    reader: OmapiReader = field(default_factory=OmapiReader)
    failure: str | None = None


@contextmanager
def omapi_server(respond: Respond) -> Iterator[tuple[int, Conversation]]:
    """Serve one connection on 127.0.0.1 with `respond` deciding each answer; yields the
    port and the conversation, and ends the thread when the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    stop = threading.Event()
    conversation = Conversation()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _peer = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(0.2)
                connection.sendall(intro())
                _converse(connection, conversation, respond, stop)
            return

    thread = threading.Thread(target=serve, name="omapi-test-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], conversation
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert not thread.is_alive()


def _converse(connection: socket.socket, conversation: Conversation, respond: Respond,
              stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            data = connection.recv(65536)
        except TimeoutError:
            continue
        if not data:
            return
        conversation.raw += data
        try:
            messages = conversation.reader.feed(data)
        except MalformedOmapiMessage as error:
            conversation.failure = error.reason
            return
        for received in messages:
            conversation.received.append(received)
            answer = respond(received)
            if answer is None:
                return  # close: omshell gives up on what it was waiting for
            connection.sendall(answer)


def run_omshell(omshell: str, port: int, *commands: str) -> str:
    """omshell's output for `commands`, after connecting to 127.0.0.1:port with KEY
    (stdin then ends, and omshell exits)."""
    script = [f"key {KEY.name} {base64.b64encode(KEY.secret).decode()}",
              "server 127.0.0.1", f"port {port}", "connect", *commands]
    finished = subprocess.run([omshell], input="\n".join(script) + "\n", text=True,
                              capture_output=True, timeout=OMSHELL_TIMEOUT_SECONDS,
                              check=False)
    return finished.stdout + finished.stderr


def answer_authenticator(request: OmapiMessage) -> bytes:
    """dhcpd's answer to the authenticator OPEN: an UPDATE, unsigned and with authid 0
    (the OPEN had none, and a response must carry its request's authid), whose header
    handle names the key object, with the key's name and algorithm as object values."""
    assert request.op == Op.OPEN and request.authid == 0
    object_values = dict(request.object_values)
    return encode(OmapiMessage(
        authid=0, op=Op.UPDATE, handle=AUTH_HANDLE, id=1000, rid=request.id,
        object_values=((b"name", object_values[b"name"]),
                       (b"algorithm", object_values[b"algorithm"]))))


def signed_update(request: OmapiMessage, values: tuple[tuple[bytes, bytes], ...],
                  key: OmapiKey) -> bytes:
    return encode(OmapiMessage(authid=request.authid, op=Op.UPDATE, handle=OBJECT_HANDLE,
                               id=1001, rid=request.id, object_values=values), key)


STATE_VALUES = (
    (b"name", b"fo"),
    (b"local-state", int_value(2)),
    (b"local-address", bytes([10, 0, 0, 10])),
    (b"hardware-address", bytes.fromhex("00163e000001")),
    (b"printable-int", int_value(0x41424344)),
)


def answer_open(key: OmapiKey) -> Respond:
    def respond(received: Received) -> bytes | None:
        message = received.message
        if message.authid == 0:
            return answer_authenticator(message)
        if message.op == Op.OPEN:
            return signed_update(message, STATE_VALUES, key)
        return None

    return respond


@pytest.fixture
def omshell(require_tool: Callable[[str], str]) -> str:
    """ISC's omshell (package isc-dhcp-server), or the test ends."""
    return require_tool("omshell")


def test_omshell_signs_what_we_verify_and_accepts_what_we_sign(omshell: str) -> None:
    with omapi_server(answer_open(KEY)) as (port, conversation):
        output = run_omshell(omshell, port, "new failover-state", 'set name = "fo"', "open")

    assert conversation.failure is None
    authenticator, state = (received.message for received in conversation.received)
    # The authenticator OPEN: unsigned, the type as a message value, the key as object.
    assert (authenticator.authid, authenticator.signature) == (0, b"")
    assert authenticator.message_values == ((b"type", b"authenticator"),)
    assert authenticator.object_values == (
        (b"name", KEY.name.encode()), (b"algorithm", b"hmac-md5.SIG-ALG.REG.INT."))
    # The object OPEN: signed under the handle we gave the key, no open flags.
    assert state.op == Op.OPEN and state.authid == AUTH_HANDLE
    assert state.message_values == ((b"type", b"failover-state"),)
    assert state.object_values == ((b"name", b"fo"),)
    assert len(state.signature) == KEY.signature_size == 16
    signed = conversation.received[1].signed
    assert KEY.verify(signed, state.signature)
    assert not WRONG_KEY.verify(signed, state.signature)
    # Every byte omshell sent is what the codec lays out for the same fields (and key).
    assert bytes(conversation.raw) == intro() + encode(authenticator) + encode(state, KEY)
    # omshell accepted our signed UPDATE and printed the values it got.
    lines = output.splitlines()
    assert "> obj: failover-state" in lines
    assert 'name = "fo"' in lines
    assert "local-state = 00:00:00:02" in lines
    assert "local-address = 0a:00:00:0a" in lines
    assert "hardware-address = 00:16:3e:00:00:01" in lines
    # print_hex_or_string: data whose bytes are all printable is shown as a string.
    assert 'printable-int = "ABCD"' in lines
    assert "can't open object" not in output


def test_omshell_refuses_an_answer_signed_with_another_key(omshell: str) -> None:
    with omapi_server(answer_open(WRONG_KEY)) as (port, conversation):
        output = run_omshell(omshell, port, "new failover-state", 'set name = "fo"', "open")

    assert conversation.failure is None
    messages = [received.message for received in conversation.received]
    # omshell's protocol layer answers the bad signature with a STATUS of its own
    # (protocol.c, message_done), signed with the key and naming our UPDATE.
    refusal = messages[-1]
    assert refusal.op == Op.STATUS and refusal.rid == 1001
    assert read_int(dict(refusal.message_values)[b"result"]) == INVALID_KEY
    assert KEY.verify(conversation.received[-1].signed, refusal.signature)
    # We then close, as dhcpd would on a STATUS answering nothing it waits for.
    assert "can't open object: connection reset by peer" in output
    assert "local-state" not in output
