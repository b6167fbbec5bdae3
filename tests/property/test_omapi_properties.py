"""Nothing an OMAPI client sends makes the session raise, whatever it sends.

An `OmapiConnection` over the real `ServerObjects` (a daemon's config, leases and a
failover relationship: tests/omapi_server.py) is fed, after the introduction, either
raw bytes or a drawn sequence of well-formed messages — any op, handle, ids, flags,
object types and attribute values, signed with the right key, a wrong one or none
(after the key's authenticator was opened, so signed messages get past it).
It must answer or close, never raise; raw bytes change nothing.  Hosts are made,
changed and removed for real (a lease log per example).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.leasefile.lease_log import LeaseLog
from adapters.omapi_session import HandleTable, OmapiConnection
from adapters.omapi_wire import OmapiKey, OmapiMessage, encode, int_value, intro
from ops.omapi_hosts import HostDirectory
from ops.omapi_objects import ServerObjects
from tests.omapi_server import T0, fake_server

OPENED = 1  # the authenticator's handle
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KEY = OmapiKey("omkey", "hmac-md5.SIG-ALG.REG.INT.", b"secretsecret1234")
WRONG = OmapiKey("omkey", "hmac-md5.SIG-ALG.REG.INT.", b"not the secret!!")
NAMES = st.sampled_from([
    "type", "create", "update", "exclusive", "handle", "name", "algorithm", "ip-address",
    "hardware-address", "hardware-type", "dhcp-client-identifier", "local-state",
    "state", "partner-state", "mclt", "x"])
VALUES = st.one_of(
    st.sampled_from([b"lease", b"failover-state", b"control", b"host", b"authenticator",
                     b"subnet", b"pool", b"fo", b"omkey", b"hmac-md5.SIG-ALG.REG.INT.",
                     bytes([10, 0, 0, 200]), bytes([10, 0, 0, 101]),
                     bytes.fromhex("020000000001"), b"\x01client"]),
    st.integers(-1, 300).map(lambda n: int_value(n & 0xFFFFFFFF)),
    st.binary(max_size=12),
)
PAIRS = st.lists(st.tuples(NAMES.map(str.encode), VALUES), max_size=5).map(tuple)
KEYS = st.sampled_from([b"ip-address", b"hardware-address", b"hardware-type",
                        b"dhcp-client-identifier", b"name", b"handle", b"local-state",
                        b"state", b"statements", b"group", b"known"])
OBJECT_PAIRS = st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=4).map(tuple)
MESSAGES = st.builds(
    OmapiMessage, authid=st.integers(0, 4), op=st.integers(0, 8), handle=st.integers(0, 8),
    id=st.integers(0, 2**32 - 1), rid=st.sampled_from([0, 0, 0, 7]),
    message_values=PAIRS, object_values=PAIRS)
FLAGS = st.lists(st.tuples(st.sampled_from([b"create", b"update", b"exclusive"]),
                           st.sampled_from([int_value(0), int_value(1), b"\1"])),
                 max_size=2).map(tuple)
OPENS = st.builds(
    lambda kind, flags, values, handle: OmapiMessage(
        authid=OPENED, op=1, handle=handle, id=1, rid=0,
        message_values=((b"type", kind), *flags), object_values=values),
    st.sampled_from([b"lease", b"failover-state", b"control", b"host", b"host",
                     b"authenticator", b"pool"]),
    FLAGS, OBJECT_PAIRS, st.integers(0, 6))
HOST_VALUES = st.fixed_dictionaries(
    {"name": st.sampled_from([b"h1", b"h2", b"printer", b"a b", b"x;}", b""])},
    optional={
        "hardware-address": st.sampled_from([bytes.fromhex("0200000000e1"), b"", b"\0" * 17]),
        "dhcp-client-identifier": st.binary(max_size=6),
        "ip-address": st.sampled_from([bytes([10, 0, 0, 60]), bytes([10, 0, 0]), b""]),
        "statements": st.sampled_from([b'option host-name "pxe";', b"", b"}", b"bogus;",
                                       b'filename "x";\n}\nlease 10.0.0.7 {']),
        "hardware-type": st.sampled_from([int_value(1), b"\1"]),
    },
).map(lambda values: tuple((name.encode(), value) for name, value in values.items()))
HOST_CREATES = st.builds(
    lambda values: OmapiMessage(
        authid=OPENED, op=1, handle=0, id=1, rid=0,
        message_values=((b"type", b"host"), (b"create", int_value(1))),
        object_values=values),
    HOST_VALUES)
SIGNERS = st.sampled_from([KEY, WRONG, None])


@contextmanager
def connection(required: OmapiKey | None) -> Iterator[tuple[OmapiConnection, list[str],
                                                          SimpleNamespace]]:
    """A session over the server's objects, hosts included (a lease log of its own)."""
    shutdowns: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        server = fake_server(Path(folder))
        with LeaseLog(Path(folder) / "dhcpd.leases") as lease_log:
            server.log, server.logger, server.now = lease_log, logging.getLogger("p"), lambda: T0
            hosts = HostDirectory(server, str(Path(folder) / "dhcpd.conf"), server.config)
            objects = ServerObjects(server, lambda: shutdowns.append("shutdown"), hosts)
            made = OmapiConnection(objects, HandleTable(), keys={"omkey": KEY},
                                   required=required)
            made.opened()
            yield made, shutdowns, server


@SETTINGS
@given(st.lists(st.tuples(st.one_of(OPENS, HOST_CREATES, MESSAGES), SIGNERS), max_size=12),
       st.booleans())
def test_well_formed_messages_are_answered_or_close_the_connection(sent, keyed) -> None:
    with connection(KEY if keyed else None) as (session, _, _):
        talk(session, sent)


def talk(session: OmapiConnection, sent: list[tuple[OmapiMessage, OmapiKey | None]]) -> None:
    out, closing = session.received(intro())
    assert (out, closing) == (b"", None)
    # The key's authenticator first (it gets handle 1, the authid OPENS carry).
    authenticator = OmapiMessage(
        authid=0, op=1, handle=0, id=1, rid=0, message_values=((b"type", b"authenticator"),),
        object_values=((b"name", b"omkey"), (b"algorithm", KEY.algorithm.encode())))
    assert session.received(encode(authenticator))[1] is None
    for message, signer in sent:
        if message.authid == OPENED and signer is None:
            message = replace(message, authid=0)
        out, closing = session.received(encode(message, signer))
        if closing is not None:
            break
        assert out  # every message that does not end the connection is answered


@SETTINGS
@given(st.binary(max_size=400))
def test_raw_bytes_after_the_introduction_never_raise_and_change_nothing(data) -> None:
    with connection(None) as (session, shutdowns, server):
        session.received(intro() + data)
        assert shutdowns == [] and server.runners["fo"].downs == 0
        assert server.log.host_records() == []
