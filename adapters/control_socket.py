"""The control socket `leaseledger ctl` talks to: one JSON request per line, one JSON
answer per line, over a local Unix stream socket.

Thin on purpose (model: hypercorn's trio servers): this module holds the socket, the
line framing and the JSON; what a request means is the handler's business (ops/control).
Only the server's own user (root in production) may connect: the socket file is made
0600 between `bind` and `listen`, and nobody can connect to a socket that is not yet
listening, so there is no moment when another user could get in.

A bad request (not JSON, not an object, a line over `MAX_LINE` bytes) gets an error
answer and reaches no handler; a handler that fails gets an error answer too.  Nothing
a client sends may stop the DHCP service.
"""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trio

MAX_LINE = 64 * 1024  # bytes in one request line, newline excluded
SOCKET_MODE = 0o600

Request = dict[str, Any]
Answer = dict[str, Any]
Handler = Callable[[Request], Answer]


class ControlSocketError(Exception):
    """The control socket cannot be made: its path is taken or not writable."""


def error_answer(message: str) -> Answer:
    """The one shape every refusal takes, so a client checks `ok` and prints `error`."""
    return {"ok": False, "error": message}


class ControlSocket:
    """A listening control socket; `serve()` answers connections until cancelled."""

    def __init__(self, sock: trio.socket.SocketType, path: Path, handler: Handler) -> None:
        self._sock = sock
        self.path = path
        self._handler = handler
        status = os.stat(path)
        self._identity = (status.st_dev, status.st_ino)

    @classmethod
    async def open(cls, path: str | os.PathLike[str], handler: Handler) -> ControlSocket:
        """Listen on `path`, replacing a stale socket file left by a dead server."""
        target = Path(path)
        await _clear_stale(target)
        sock = trio.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            await sock.bind(str(target))
            os.chmod(target, SOCKET_MODE)
            sock.listen()
            return cls(sock, target, handler)
        except OSError as exc:
            sock.close()
            raise ControlSocketError(f"{target}: {exc.strerror or exc}") from None

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        await trio.serve_listeners(self._converse, [trio.SocketListener(self._sock)],
                                   task_status=task_status)

    def close(self) -> None:
        """Stop listening and remove the socket file, if it is still ours."""
        self._sock.close()
        try:
            status = os.stat(self.path)
            if (status.st_dev, status.st_ino) == self._identity:
                self.path.unlink()
        except OSError:
            pass

    async def _converse(self, stream: trio.SocketStream) -> None:
        """Answer each line of one connection in turn until the client hangs up."""
        buffer = bytearray()
        async with stream:
            try:
                while True:
                    end = buffer.find(b"\n")
                    if end < 0 and len(buffer) <= MAX_LINE:
                        chunk = await stream.receive_some(MAX_LINE)
                        if not chunk:
                            if buffer.strip():  # a last request without its newline
                                await stream.send_all(self._reply(bytes(buffer)))
                            return
                        buffer += chunk
                        continue
                    if end < 0 or end > MAX_LINE:
                        # The rest of the line cannot be told from the next request:
                        # refuse and hang up.
                        await stream.send_all(_encode(error_answer(
                            f"request longer than {MAX_LINE} bytes")))
                        return
                    line = bytes(buffer[:end])
                    del buffer[:end + 1]
                    await stream.send_all(self._reply(line))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return

    def _reply(self, line: bytes) -> bytes:
        """The answer line to one request line."""
        try:
            request = json.loads(line)
        except (ValueError, RecursionError):
            return _encode(error_answer("a request is one line of JSON"))
        if not isinstance(request, dict):
            return _encode(error_answer(
                'a request is a JSON object, e.g. {"command": "status"}'))
        try:
            # An answer that cannot be encoded is the handler's failure too.
            return _encode(self._handler(request))
        except Exception as exc:  # the DHCP service must outlive any control request
            return _encode(error_answer(f"internal error: {type(exc).__name__}: {exc}"))


def _encode(answer: Answer) -> bytes:
    return json.dumps(answer).encode() + b"\n"


async def _clear_stale(path: Path) -> None:
    """Remove `path` if it is a socket nobody listens on; refuse anything else there
    (a regular file, or the socket of a server still running)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ControlSocketError(f"{path}: {exc.strerror}") from None
    if not stat.S_ISSOCK(mode):
        raise ControlSocketError(f"{path} exists and is not a socket")
    probe = trio.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        await probe.connect(str(path))
    except ConnectionRefusedError:
        try:
            path.unlink()
        except OSError as exc:
            raise ControlSocketError(f"{path}: {exc.strerror}") from None
        return
    except OSError as exc:
        raise ControlSocketError(f"{path}: {exc.strerror or exc}") from None
    finally:
        probe.close()
    raise ControlSocketError(f"{path}: another server is listening on it")
