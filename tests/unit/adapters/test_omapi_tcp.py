"""`OmapiListener`: the server's introduction first, answers in order, a connection
cap, and a session that fails on some input costs that connection only."""

from __future__ import annotations

import trio
import trio.testing

from adapters.omapi_session import Closing
from adapters.omapi_tcp import MAX_CONNECTIONS, OmapiListener


class EchoSession:
    """Answers each read with its bytes upper-cased; b"boom" makes it fail, b"bye"
    makes it close."""

    def opened(self) -> bytes:
        return b"HELLO"

    def received(self, data: bytes) -> tuple[bytes, Closing | None]:
        if data == b"boom":
            raise RuntimeError("a bug of ours")
        if data == b"bye":
            return b"BYE", Closing("asked to")
        return data.upper(), None


async def listening(nursery: trio.Nursery) -> int:
    listener = await OmapiListener.open("127.0.0.1", 0, EchoSession)  # type: ignore[arg-type]
    await nursery.start(listener.serve)
    return listener._listeners[0].socket.getsockname()[1]


async def receive_exactly(stream: trio.SocketStream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = await stream.receive_some(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


async def test_introduction_then_answers_and_a_close_when_the_session_says_so() -> None:
    async with trio.open_nursery() as nursery:
        port = await listening(nursery)
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        assert await receive_exactly(stream, 5) == b"HELLO"
        await stream.send_all(b"abc")
        assert await receive_exactly(stream, 3) == b"ABC"
        await stream.send_all(b"bye")
        assert await receive_exactly(stream, 10) == b"BYE"  # then end of stream
        nursery.cancel_scope.cancel()


async def test_a_failing_session_ends_its_connection_and_the_listener_serves_on() -> None:
    async with trio.open_nursery() as nursery:
        port = await listening(nursery)
        broken = await trio.open_tcp_stream("127.0.0.1", port)
        assert await receive_exactly(broken, 5) == b"HELLO"
        await broken.send_all(b"boom")
        assert await broken.receive_some(10) == b""
        fine = await trio.open_tcp_stream("127.0.0.1", port)
        assert await receive_exactly(fine, 5) == b"HELLO"
        await fine.send_all(b"ok")
        assert await receive_exactly(fine, 2) == b"OK"
        nursery.cancel_scope.cancel()


async def test_connections_past_the_cap_are_closed_at_once() -> None:
    async with trio.open_nursery() as nursery:
        port = await listening(nursery)
        held = []
        for _ in range(MAX_CONNECTIONS):
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            assert await receive_exactly(stream, 5) == b"HELLO"
            held.append(stream)
        extra = await trio.open_tcp_stream("127.0.0.1", port)
        assert await extra.receive_some(10) == b""
        await held[0].aclose()
        await trio.sleep(0.1)
        again = await trio.open_tcp_stream("127.0.0.1", port)
        assert await receive_exactly(again, 5) == b"HELLO"
        nursery.cancel_scope.cancel()


async def test_each_answer_waits_until_what_the_request_changed_is_settled() -> None:
    events: list[str] = []

    async def settle() -> None:
        await trio.sleep(0.05)  # a commit in progress
        events.append("settled")

    async with trio.open_nursery() as nursery:
        listener = await OmapiListener.open("127.0.0.1", 0, EchoSession, settle)  # type: ignore[arg-type]
        await nursery.start(listener.serve)
        port = listener._listeners[0].socket.getsockname()[1]
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        assert await receive_exactly(stream, 5) == b"HELLO"
        await stream.send_all(b"abc")
        assert await receive_exactly(stream, 3) == b"ABC"
        assert events == ["settled"]
        nursery.cancel_scope.cancel()
