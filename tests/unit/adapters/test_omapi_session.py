"""`OmapiConnection`: ISC's message rules over a fake set of objects — authenticator
first when the server has a key, signed answers to signed requests, each refusal with
dhcpd's result and text, lookups by values or by handle, and a stream that ends the
connection only when dhcpd's would end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from adapters.omapi_objects_port import (
    EXISTS,
    INVALID_ARG,
    INVALID_KEY,
    KEY_CONFLICT,
    NO_KEYS,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    ObjectRef,
    OmapiObjects,
    Value,
)
from adapters.omapi_session import KEY_UNKNOWN, Closing, HandleTable, OmapiConnection
from adapters.omapi_wire import OmapiKey, OmapiMessage, OmapiReader, Op, encode, int_value, intro

ALGORITHM = "hmac-md5.SIG-ALG.REG.INT."
KEY = OmapiKey("omkey", ALGORITHM, b"secretsecret1234")
OTHER = OmapiKey("other", ALGORITHM, b"0123456789abcdef")


@dataclass
class FakeObjects(OmapiObjects):
    """Two failover relationships by name; updates recorded."""

    states: dict[str, int] = field(default_factory=lambda: {"fo": 3, "fo2": 2})
    updates: list[tuple[str, list[tuple[str, bytes]]]] = field(default_factory=list)
    created: list[list[tuple[str, bytes]]] = field(default_factory=list)

    def types(self) -> frozenset[str]:
        return frozenset({"failover-state", "host"})

    def lookup(self, type_name: str, values: Mapping[str, bytes]) -> ObjectRef | int:
        if type_name == "host":
            return NOT_IMPLEMENTED
        if "name" not in values:
            return NO_KEYS
        name = values["name"].decode()
        return ObjectRef(type_name, name) if name in self.states else NOT_FOUND

    def published(self, ref: ObjectRef) -> Sequence[tuple[str, Value]] | None:
        if ref.key not in self.states:
            return None
        return [("name", ref.key.encode()), ("local-state", int_value(self.states[ref.key])),
                ("peer", ObjectRef("failover-state", "fo2"))]

    def update(self, ref: ObjectRef, values: Sequence[tuple[str, bytes]]) -> int:
        self.updates.append((ref.key, list(values)))
        for name, value in values:
            if name == "local-state":
                self.states[ref.key] = int.from_bytes(value, "big")
        return SUCCESS

    def create(self, type_name: str, values: Sequence[tuple[str, bytes]]) -> ObjectRef | int:
        named = dict(values)
        if type_name != "failover-state" or "name" not in named:
            return NOT_IMPLEMENTED
        if "local-state" not in named:
            return INVALID_ARG
        self.created.append(list(values))
        name = named["name"].decode()
        self.states[name] = int.from_bytes(named["local-state"], "big")
        return ObjectRef(type_name, name)

    def remove(self, ref: ObjectRef) -> int:
        del self.states[ref.key]
        return SUCCESS


class Client:
    """omshell's side: numbers its messages, signs with the key it opened."""

    def __init__(self, connection: OmapiConnection) -> None:
        self.connection = connection
        self.reader = OmapiReader()
        self.next_id = 100
        self.authid = 0
        self.key: OmapiKey | None = None
        [] = self.reader.feed(connection.opened())
        assert self.connection.received(intro()) == (b"", None)

    def send(self, op: int, *, handle: int = 0, message: dict[str, bytes] | None = None,
             obj: dict[str, bytes] | None = None, rid: int = 0,
             sign: OmapiKey | None = None) -> list[OmapiMessage]:
        self.next_id += 1
        key = sign or self.key
        request = OmapiMessage(
            authid=self.authid if key is not None else 0, op=op, handle=handle,
            id=self.next_id, rid=rid,
            message_values=tuple((n.encode(), v) for n, v in (message or {}).items()),
            object_values=tuple((n.encode(), v) for n, v in (obj or {}).items()))
        out, closing = self.connection.received(encode(request, key))
        assert closing is None
        answers = []
        for received in self.reader.feed(out):
            answer = received.message
            assert answer.rid == self.next_id
            if answer.authid:
                assert answer.authid == self.authid
                assert self.key is not None and self.key.verify(received.signed, answer.signature)
            answers.append(answer)
        return answers

    def open(self, type_name: str, **obj: bytes) -> OmapiMessage:
        [answer] = self.send(Op.OPEN, message={"type": type_name.encode()},
                             obj={n.replace("_", "-"): v for n, v in obj.items()})
        return answer

    def authenticate(self, key: OmapiKey) -> OmapiMessage:
        answer = self.open("authenticator", name=key.name.encode(),
                           algorithm=key.algorithm.encode())
        if answer.op == Op.UPDATE:
            self.authid, self.key = answer.handle, key
        return answer


def status(answer: OmapiMessage) -> tuple[int, str | None]:
    assert answer.op == Op.STATUS
    values = dict(answer.message_values)
    text = values.get(b"message")
    return int.from_bytes(values[b"result"], "big"), None if text is None else text.decode()


def values_of(answer: OmapiMessage) -> dict[bytes, bytes]:
    assert answer.op == Op.UPDATE
    return dict(answer.object_values)


@pytest.fixture
def objects() -> FakeObjects:
    return FakeObjects()


def connect(objects: FakeObjects, *, required: OmapiKey | None = KEY,
            handles: HandleTable | None = None) -> Client:
    keys = {KEY.name: KEY, OTHER.name: OTHER}
    return Client(OmapiConnection(objects, handles or HandleTable(), keys=keys,
                                  required=required))


def test_the_authenticator_comes_first_then_signed_requests_get_signed_answers(objects) -> None:
    client = connect(objects)
    assert status(client.open("failover-state", name=b"fo")) == (
        NO_KEYS, "No authenticator on message")

    answer = client.authenticate(KEY)
    assert answer.authid == 0 and answer.signature == b""  # the answer to it is not signed
    assert values_of(answer) == {b"name": b"omkey", b"algorithm": ALGORITHM.encode()}

    opened = client.open("failover-state", name=b"fo")
    assert opened.authid == client.authid and opened.signature  # checked in Client.send
    assert values_of(opened)[b"local-state"] == int_value(3)


def test_a_declared_key_other_than_the_omapi_key_is_refused(objects) -> None:
    client = connect(objects)
    assert status(client.authenticate(OTHER)) == (INVALID_KEY, "can't select authenticator")
    unknown = OmapiKey("nokey", ALGORITHM, b"x" * 16)
    assert status(client.authenticate(unknown)) == (NOT_FOUND, "no object matches specification")
    wrong_algorithm = OmapiKey("omkey", "hmac-sha256.SIG-ALG.REG.INT.", KEY.secret)
    assert status(client.authenticate(wrong_algorithm))[0] == NOT_FOUND


def test_a_bad_signature_or_an_unknown_authid_is_answered_unsigned(objects) -> None:
    client = connect(objects)
    client.authenticate(KEY)
    forged = OmapiKey("omkey", ALGORITHM, b"not the secret!!")
    answer = client.send(Op.OPEN, message={"type": b"failover-state"}, obj={"name": b"fo"},
                         sign=forged)
    # Client.send checks signed answers with its own key: this one is not signed.
    [refused] = answer
    assert refused.authid == 0 and status(refused) == (INVALID_KEY, None)

    client.authid = 77
    [unknown] = client.send(Op.OPEN, message={"type": b"failover-state"}, obj={"name": b"fo"},
                            sign=KEY)
    assert status(unknown) == (KEY_UNKNOWN, None)


def test_a_message_claiming_a_valid_authid_without_a_signature_is_refused(objects) -> None:
    """dhcpd 4.4.3-P1 processes it (authlen 0 skips the check); this server does not."""
    client = connect(objects)
    client.authenticate(KEY)
    request = OmapiMessage(authid=client.authid, op=Op.OPEN, handle=0, id=500, rid=0,
                           message_values=((b"type", b"failover-state"),),
                           object_values=((b"name", b"fo"),))
    out, closing = client.connection.received(encode(request))
    [answer] = client.reader.feed(out)
    assert closing is None and status(answer.message) == (INVALID_KEY, None)


def test_without_an_omapi_key_requests_need_no_authenticator(objects) -> None:
    client = connect(objects, required=None)
    assert values_of(client.open("failover-state", name=b"fo"))[b"name"] == b"fo"


def test_open_refusals_carry_dhcpds_texts(objects) -> None:
    client = connect(objects, required=None)
    assert status(client.open("failover-state", name=b"nope")) == (
        NOT_FOUND, "no object matches specification")
    assert status(client.open("failover-state")) == (NOT_IMPLEMENTED, "can't create new object")
    assert status(client.open("host", name=b"h1")) == (NOT_IMPLEMENTED, "object lookup failed")
    [bad_flag] = client.send(Op.OPEN, message={"type": b"failover-state", "create": b"\1"},
                             obj={"name": b"fo"})
    assert status(bad_flag) == (INVALID_ARG, "invalid create flag value")
    [exists] = client.send(Op.OPEN, message={"type": b"failover-state",
                                             "create": int_value(1), "exclusive": int_value(1)},
                           obj={"name": b"fo"})
    assert status(exists) == (EXISTS, "specified object already exists")
    [no_type] = client.send(Op.OPEN, message={"create": int_value(1)})
    assert status(no_type) == (INVALID_ARG, "type required on create")


def test_handles_name_objects_for_refresh_update_and_delete(objects) -> None:
    client = connect(objects, required=None)
    opened = client.open("failover-state", name=b"fo")
    handle = opened.handle
    peer_handle = int.from_bytes(values_of(opened)[b"peer"], "big")
    assert peer_handle not in (0, handle)  # an object value goes as its own handle

    [done] = client.send(Op.UPDATE, handle=handle, obj={"local-state": int_value(4)})
    assert status(done) == (SUCCESS, None)
    assert objects.updates == [("fo", [("local-state", int_value(4))])]
    [again] = client.send(Op.REFRESH, handle=handle)
    assert values_of(again)[b"local-state"] == int_value(4)

    [gone] = client.send(Op.DELETE, handle=handle)
    assert status(gone) == (SUCCESS, None)
    [stale] = client.send(Op.REFRESH, handle=handle)
    assert status(stale) == (NOT_FOUND, "no matching handle")
    for op in (Op.REFRESH, Op.UPDATE, Op.DELETE):
        [unknown] = client.send(op, handle=999)
        assert status(unknown) == (NOT_FOUND, "no matching handle")


def test_handles_are_shared_by_every_connection_of_the_server(objects) -> None:
    handles = HandleTable()
    first = connect(objects, required=None, handles=handles)
    second = connect(objects, required=None, handles=handles)
    handle = first.open("failover-state", name=b"fo").handle
    assert second.open("failover-state", name=b"fo").handle == handle
    [refreshed] = second.send(Op.REFRESH, handle=handle)
    assert values_of(refreshed)[b"name"] == b"fo"


def test_an_open_by_handle_must_agree_with_the_other_keys(objects) -> None:
    client = connect(objects, required=None)
    handle = client.open("failover-state", name=b"fo").handle
    assert client.open("failover-state", handle=int_value(handle)).handle == handle
    assert status(client.open("failover-state", handle=int_value(handle), name=b"fo2")) == (
        KEY_CONFLICT, "object lookup failed")
    assert status(client.open("host", handle=int_value(handle))) == (
        INVALID_ARG, "object lookup failed")


def test_an_open_with_update_applies_the_values_before_answering(objects) -> None:
    client = connect(objects, required=None)
    [answer] = client.send(Op.OPEN, message={"type": b"failover-state", "update": int_value(1)},
                           obj={"name": b"fo", "local-state": int_value(4)})
    assert values_of(answer)[b"local-state"] == int_value(4)


def test_notify_is_not_implemented_and_an_answer_to_nothing_ends_the_connection(
    objects,
) -> None:
    client = connect(objects, required=None)
    [notify] = client.send(Op.NOTIFY)
    assert status(notify) == (NOT_IMPLEMENTED, "notify not implemented yet")
    stray = OmapiMessage(authid=0, op=Op.STATUS, handle=0, id=1, rid=12345)
    out, closing = client.connection.received(encode(stray))
    assert out == b"" and isinstance(closing, Closing)


def test_a_malformed_stream_ends_the_connection_with_its_reason(objects) -> None:
    connection = OmapiConnection(objects, HandleTable(), keys={}, required=None)
    out, closing = connection.received(b"\x00\x00\x00\x63\x00\x00\x00\x18")  # version 99
    assert out == b"" and isinstance(closing, Closing) and closing.reason
    assert objects.updates == []


def test_create_makes_the_object_with_the_values_once_and_only_when_asked(objects) -> None:
    client = connect(objects, required=None)
    values = {"name": b"fo3", "local-state": int_value(2)}
    [not_asked] = client.send(Op.OPEN, message={"type": b"failover-state"}, obj=values)
    assert status(not_asked) == (NOT_FOUND, "no object matches specification")
    assert objects.created == []

    [made] = client.send(Op.OPEN, message={"type": b"failover-state",
                                           "create": int_value(1)}, obj=values)
    assert values_of(made) == {b"name": b"fo3", b"local-state": int_value(2),
                               b"peer": values_of(made)[b"peer"]}
    assert objects.created == [[("name", b"fo3"), ("local-state", int_value(2))]]
    assert objects.updates == []  # the values went to create, not once more to update

    [refused] = client.send(Op.OPEN, message={"type": b"failover-state",
                                              "create": int_value(1)}, obj={"name": b"fo4"})
    assert status(refused) == (INVALID_ARG, "can't update object")
