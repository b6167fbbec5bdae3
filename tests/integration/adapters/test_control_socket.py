"""The control socket on a real Unix socket under trio: only its owner may connect,
one JSON answer per JSON line, and no bad request (garbage, an overlong line, a failing
handler) gets past an error answer or stops it serving."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

from adapters.control_socket import MAX_LINE, ControlSocket, ControlSocketError

SYSTEM_PYTHON = "/usr/bin/python3"  # readable by every user, unlike a venv under /root


class Recorder:
    """A handler that echoes what it was asked and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        if request.get("command") == "fail":
            raise KeyError("boom")
        if request.get("command") == "unsendable":
            return {"ok": True, "value": object()}
        return {"ok": True, "echo": request}


@asynccontextmanager
async def serving(path: Path, handler: Recorder) -> AsyncIterator[ControlSocket]:
    control = await ControlSocket.open(path, handler)
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(control.serve)
            yield control
            nursery.cancel_scope.cancel()
    finally:
        control.close()


@pytest.fixture
def handler() -> Recorder:
    return Recorder()


@pytest.fixture
async def control(tmp_path: Path, handler: Recorder) -> AsyncIterator[ControlSocket]:
    async with serving(tmp_path / "dhcpd.ctl", handler) as running:
        yield running


class Client:
    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = bytearray()

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def line(self) -> dict[str, Any] | None:
        """The next answer, or None once the server hung up."""
        with trio.fail_after(5):
            while b"\n" not in self.buffer:
                chunk = await self.stream.receive_some(65536)
                if not chunk:
                    return None
                self.buffer += chunk
        end = self.buffer.index(b"\n")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 1]
        return json.loads(line)

    async def ask(self, request: object) -> dict[str, Any] | None:
        await self.send(json.dumps(request).encode() + b"\n")
        return await self.line()


def padded(size: int) -> bytes:
    """A valid request of exactly `size` bytes (JSON allows trailing blanks)."""
    request = b'{"command": "' + b"x" * (size // 2) + b'"}'
    return request + b" " * (size - len(request))


async def connect(path: Path) -> Client:
    return Client(await trio.open_unix_socket(str(path)))


async def test_the_socket_is_ours_alone(control: ControlSocket) -> None:
    status = os.stat(control.path)

    assert stat.S_ISSOCK(status.st_mode)
    assert stat.S_IMODE(status.st_mode) == 0o600
    assert status.st_uid == os.geteuid()


async def test_json_lines_round_trip_on_one_connection(control, handler) -> None:
    client = await connect(control.path)

    assert await client.ask({"command": "status"}) == {"ok": True,
                                                       "echo": {"command": "status"}}
    # Two requests in one write are answered in order.
    await client.send(b'{"command": "a"}\n{"command": "b"}\n')
    assert (await client.line())["echo"] == {"command": "a"}
    assert (await client.line())["echo"] == {"command": "b"}
    assert handler.requests == [{"command": "status"}, {"command": "a"}, {"command": "b"}]


@pytest.mark.parametrize("garbage", [
    b"hello\n", b"\xff\xfe\n", b"[1, 2]\n", b'"status"\n', b"{\n", b"[" * 50_000 + b"\n",
])
async def test_garbage_gets_an_error_answer_and_the_socket_keeps_serving(
    control, handler, garbage,
) -> None:
    client = await connect(control.path)

    await client.send(garbage)
    answer = await client.line()

    assert answer is not None and answer["ok"] is False and "JSON" in answer["error"]
    assert handler.requests == []
    assert (await client.ask({"command": "after"}))["ok"] is True
    assert (await (await connect(control.path)).ask({"command": "other"}))["ok"] is True


async def test_a_failing_handler_gets_an_error_answer(control, handler) -> None:
    client = await connect(control.path)

    assert await client.ask({"command": "fail"}) == {
        "ok": False, "error": "internal error: KeyError: 'boom'"}
    answer = await client.ask({"command": "unsendable"})
    assert answer["ok"] is False and "TypeError" in answer["error"]
    assert (await client.ask({"command": "status"}))["ok"] is True


@pytest.mark.parametrize("newline", [True, False])
async def test_an_overlong_line_is_refused_and_reaches_no_handler(
    control, handler, newline,
) -> None:
    client = await connect(control.path)
    request = padded(MAX_LINE + 1) + (b"\n" if newline else b"")

    await client.send(request)

    assert await client.line() == {"ok": False,
                                   "error": f"request longer than {MAX_LINE} bytes"}
    assert await client.line() is None  # it hangs up: the rest can't be told apart
    assert handler.requests == []
    assert (await (await connect(control.path)).ask({"command": "next"}))["ok"] is True


async def test_a_line_of_exactly_the_limit_is_answered(control, handler) -> None:
    client = await connect(control.path)
    request = padded(MAX_LINE) + b"\n"

    await client.send(request)

    assert (await client.line())["ok"] is True
    assert len(handler.requests) == 1


async def test_a_last_request_without_its_newline_is_answered(control, handler) -> None:
    client = await connect(control.path)

    await client.send(b'{"command": "status"}')
    await client.stream.send_eof()

    assert (await client.line())["echo"] == {"command": "status"}


async def test_a_stale_socket_file_is_replaced_and_removed_at_stop(tmp_path, handler) -> None:
    path = tmp_path / "dhcpd.ctl"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening: a server that died
    os.chmod(path, 0o666)

    async with serving(path, handler) as control:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert (await (await connect(control.path)).ask({"command": "status"}))["ok"]
    assert not path.exists()


async def test_a_regular_file_in_the_way_is_left_alone(tmp_path, handler) -> None:
    path = tmp_path / "dhcpd.ctl"
    path.write_text("not a socket\n")

    with pytest.raises(ControlSocketError, match="exists and is not a socket"):
        await ControlSocket.open(path, handler)
    assert path.read_text() == "not a socket\n"


async def test_a_live_servers_socket_is_not_taken(control, handler) -> None:
    with pytest.raises(ControlSocketError, match="another server is listening"):
        await ControlSocket.open(control.path, handler)
    assert (await (await connect(control.path)).ask({"command": "status"}))["ok"]


async def test_a_path_that_cannot_be_made_is_our_error(tmp_path, handler) -> None:
    with pytest.raises(ControlSocketError, match="No such file or directory"):
        await ControlSocket.open(tmp_path / "missing" / "dhcpd.ctl", handler)


@pytest.mark.skipif(os.geteuid() != 0 or not Path(SYSTEM_PYTHON).exists(),
                    reason="needs root (to try as another user) and /usr/bin/python3")
async def test_another_user_is_refused(handler) -> None:
    # A folder every user may enter (pytest's tmp_path is root's alone), so that the
    # socket's own mode is what refuses.
    folder = Path(tempfile.mkdtemp(prefix="ctl-"))
    try:
        folder.chmod(0o755)
        async with serving(folder / "dhcpd.ctl", handler) as control:
            probe = ("import socket, sys\n"
                     "s = socket.socket(socket.AF_UNIX)\n"
                     "try:\n s.connect(sys.argv[1])\n"
                     "except PermissionError:\n sys.exit(13)\n")
            result = await trio.to_thread.run_sync(lambda: subprocess.run(
                [SYSTEM_PYTHON, "-c", probe, str(control.path)], user="nobody",
                timeout=20, check=False))
            assert result.returncode == 13
            assert handler.requests == []
    finally:
        shutil.rmtree(folder)
