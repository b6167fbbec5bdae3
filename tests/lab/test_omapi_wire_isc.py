"""The OMAPI codec against ISC dhcpd 4.4 itself, on its OMAPI port inside the lab.

dhcpd runs in srv1 with `omapi-port` and an `omapi-key`.  Two ways in:

* omshell talks to dhcpd through a proxy that reads both directions with
  `OmapiReader`: every byte either side sent must re-encode through `encode`
  (signatures included), and every signature verify over `Received.signed`.
* our own client, made of the codec alone, asks dhcpd directly, to see what dhcpd
  answers: the authenticator's handle, signed answers, and its refusals.

Sockets inside the namespace are made by a short-lived thread that has joined it
(setns on that thread only); traffic stays on srv1's loopback.
"""

from __future__ import annotations

import base64
import ctypes
import selectors
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

from adapters.omapi_wire import (
    MalformedOmapiMessage,
    OmapiKey,
    OmapiMessage,
    OmapiReader,
    Op,
    Received,
    encode,
    intro,
    read_int,
)
from ops.lab.lab_config import LAB_CONF
from ops.lab.netns import SRV1, Lab
from ops.lab.processes import LAB_ENVIRONMENT
from ops.lab.servers import start_dhcpd

pytestmark = pytest.mark.lab

OMAPI_PORT = 7911
PROXY_PORT = 7912
OMSHELL_TIMEOUT_SECONDS = 20
ANSWER_TIMEOUT_SECONDS = 5
KEY = OmapiKey("omapi-lab", "hmac-md5", b"0123456789abcdef")
WRONG_KEY = OmapiKey("omapi-lab", "hmac-md5", b"not the secret!!")
ISC_ALGORITHM = b"hmac-md5.SIG-ALG.REG.INT."  # as dhcpd stores `hmac-md5` (parse_key)
# isc_result_t values (includes/omapip/result.h: class 6 is ISC DHCP's)
NO_KEYS, INVALID_KEY = (6 << 16) + 9, (6 << 16) + 11
LEASE_ADDRESS = bytes([10, 0, 0, 100])  # in LAB_CONF's range, so dhcpd has the lease
OMAPI_CONF = LAB_CONF + f"""\
key {KEY.name} {{ algorithm hmac-md5; secret "{base64.b64encode(KEY.secret).decode()}"; }}
omapi-port {OMAPI_PORT};
omapi-key {KEY.name};
"""
_CLONE_NEWNET = 0x40000000

T = TypeVar("T")


def in_namespace(namespace: str, make: Callable[[], T]) -> T:
    """`make()` run on a thread that has joined `namespace`; a socket made there stays
    in that namespace whichever thread uses it afterwards."""
    made: list[T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            with open(f"/run/netns/{namespace}", "rb") as handle:
                if libc.setns(handle.fileno(), _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns into {namespace}")
            made.append(make())
        except BaseException as error:  # handed to the caller's thread
            failures.append(error)

    thread = threading.Thread(target=run, name=f"in-{namespace}")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
    return made[0]


@pytest.fixture
def dhcpd_namespace(lab: Lab) -> str:
    """srv1's namespace, with ISC dhcpd serving OMAPI there."""
    start_dhcpd(lab, SRV1, OMAPI_CONF)
    return lab.namespace(SRV1)


@dataclass
class Direction:
    """One direction of the proxied connection: its bytes, read as OMAPI."""

    raw: bytearray = field(default_factory=bytearray)
    reader: OmapiReader = field(default_factory=OmapiReader)
    received: list[Received] = field(default_factory=list)

    def take(self, data: bytes) -> None:
        self.raw += data
        self.received += self.reader.feed(data)


@contextmanager
def capturing_proxy(namespace: str) -> Iterator[tuple[Direction, Direction]]:
    """A proxy on 127.0.0.1:PROXY_PORT in `namespace` to dhcpd's OMAPI port, for one
    connection; yields (client to server, server to client) as they were captured."""
    listener = in_namespace(namespace, lambda: socket.create_server(("127.0.0.1", PROXY_PORT)))
    upstream = in_namespace(namespace, lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    to_server, to_client = Direction(), Direction()
    stop = threading.Event()

    def relay() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _peer = listener.accept()
            except TimeoutError:
                continue
            with client, upstream:
                upstream.connect(("127.0.0.1", OMAPI_PORT))
                _pump(client, upstream, to_server, to_client, stop)
            return

    thread = threading.Thread(target=relay, name="omapi-proxy", daemon=True)
    thread.start()
    try:
        yield to_server, to_client
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        upstream.close()
    assert not thread.is_alive()


def _pump(client: socket.socket, server: socket.socket, to_server: Direction,
          to_client: Direction, stop: threading.Event) -> None:
    routes = {client: (server, to_server), server: (client, to_client)}
    with selectors.DefaultSelector() as selector:
        for end in routes:
            selector.register(end, selectors.EVENT_READ)
        while not stop.is_set():
            for ready, _events in selector.select(timeout=0.2):
                source = ready.fileobj
                assert isinstance(source, socket.socket)
                data = source.recv(65536)
                if not data:
                    return
                target, direction = routes[source]
                target.sendall(data)
                direction.take(data)


def relaid(direction: Direction) -> bytes:
    """The direction's stream rebuilt from what was read: the intro, then each message
    encoded again, signed with KEY where it came signed."""
    return intro() + b"".join(
        encode(item.message, KEY if item.message.signature else None)
        for item in direction.received)


def test_omshell_and_dhcpd_bytes_reencode_and_verify(
    dhcpd_namespace: str, require_tool: Callable[[str], str]
) -> None:
    omshell = require_tool("omshell")
    script = [f"key {KEY.name} {base64.b64encode(KEY.secret).decode()}",
              "server 127.0.0.1", f"port {PROXY_PORT}", "connect",
              "new lease", "set ip-address = 10.0.0.100", "open", ""]
    with capturing_proxy(dhcpd_namespace) as (to_server, to_client):
        finished = subprocess.run(["ip", "netns", "exec", dhcpd_namespace, omshell],
                                  input="\n".join(script), capture_output=True, text=True,
                                  env=dict(LAB_ENVIRONMENT), timeout=OMSHELL_TIMEOUT_SECONDS,
                                  check=False)

    assert "ip-address = 0a:00:00:64" in finished.stdout.splitlines(), finished.stdout
    assert bytes(to_server.raw) == relaid(to_server)
    assert bytes(to_client.raw) == relaid(to_client)
    open_key, open_lease = (item.message for item in to_server.received)
    key_update, lease_update = (item.message for item in to_client.received)
    # dhcpd answers the unsigned authenticator OPEN with an unsigned UPDATE, authid 0,
    # whose header handle is what omshell's next message carries as its authid.
    assert (key_update.op, key_update.authid, key_update.rid) == (Op.UPDATE, 0, open_key.id)
    assert key_update.signature == b"" and key_update.message_values == ()
    assert key_update.object_values == ((b"name", KEY.name.encode()),
                                        (b"algorithm", ISC_ALGORITHM))
    assert open_lease.authid == lease_update.authid == key_update.handle != 0
    assert lease_update.rid == open_lease.id
    for item in (to_server.received[1], to_client.received[1]):
        assert KEY.verify(item.signed, item.message.signature)
        assert not WRONG_KEY.verify(item.signed, item.message.signature)


class OmapiClient:
    """Our own OMAPI client over one socket: send a message, wait for one answer."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._reader = OmapiReader()
        self._pending: list[Received] = []
        connection.settimeout(ANSWER_TIMEOUT_SECONDS)
        connection.sendall(intro())

    def ask(self, message: OmapiMessage, key: OmapiKey | None = None) -> Received:
        self._connection.sendall(encode(message, key))
        while not self._pending:
            data = self._connection.recv(65536)
            if not data:
                raise MalformedOmapiMessage("dhcpd closed the connection")
            self._pending += self._reader.feed(data)
        return self._pending.pop(0)


def open_lease(authid: int, xid: int) -> OmapiMessage:
    return OmapiMessage(authid=authid, op=Op.OPEN, handle=0, id=xid, rid=0,
                        message_values=((b"type", b"lease"),),
                        object_values=((b"ip-address", LEASE_ADDRESS),))


def test_dhcpd_answers_messages_made_by_the_codec(dhcpd_namespace: str) -> None:
    connection = in_namespace(
        dhcpd_namespace, lambda: socket.create_connection(("127.0.0.1", OMAPI_PORT), timeout=5))
    with connection:
        client = OmapiClient(connection)
        key_update = client.ask(OmapiMessage(
            authid=0, op=Op.OPEN, handle=0, id=1, rid=0,
            message_values=((b"type", b"authenticator"),),
            object_values=((b"name", KEY.name.encode()), (b"algorithm", ISC_ALGORITHM))))
        authid = key_update.message.handle
        signed_answer = client.ask(open_lease(authid, 2), KEY)
        wrong_key = client.ask(open_lease(authid, 3), WRONG_KEY)
        no_key = client.ask(open_lease(0, 4))
        no_signature = client.ask(open_lease(authid, 5))

    assert (key_update.message.op, key_update.message.rid) == (Op.UPDATE, 1)
    answer = signed_answer.message
    assert (answer.op, answer.authid, answer.rid) == (Op.UPDATE, authid, 2)
    assert dict(answer.object_values)[b"ip-address"] == LEASE_ADDRESS
    assert KEY.verify(signed_answer.signed, answer.signature)
    # A bad signature: STATUS invalid key, unsigned (the message had no valid key).
    refusal = wrong_key.message
    assert (refusal.op, refusal.authid, refusal.rid, refusal.signature) == (
        Op.STATUS, 0, 3, b"")
    assert read_int(dict(refusal.message_values)[b"result"]) == INVALID_KEY
    # No authid at all: STATUS no keys, with dhcpd's text.
    assert dict(no_key.message.message_values) == {
        b"result": (NO_KEYS).to_bytes(4, "big"), b"message": b"No authenticator on message"}
    # ISC's leniency (protocol.c: authlen 0 skips verification): an authid without a
    # signature is served as if signed, and the answer is signed.
    lenient = no_signature.message
    assert (lenient.op, lenient.authid, lenient.rid) == (Op.UPDATE, authid, 5)
    assert KEY.verify(no_signature.signed, lenient.signature)
