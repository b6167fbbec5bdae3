"""What the control socket's requests mean to a running server (`leaseledger ctl`).

Requests are JSON objects with a `command`:
`{"command": "status"}` answers every failover relationship's state and the server's
lease and pool counts; `{"command": "partner-down", "peer": NAME}` is the operator's
word that the peer is down (ISC: OMAPI `local-state` set to partner-down), which
moves the relationship to partner-down.  Every answer has `ok`; a refusal has `error`
and changes nothing.

The socket's default path follows the pid file, so a server started with another
`-pf` has its own socket and `ctl -pf` finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from adapters.control_socket import Answer, Request, error_answer
from projections.lease_view import LeaseView


class ControlledRelationship(Protocol):
    """What the handler needs of a failover relationship (ops/failover_runner)."""

    def status(self) -> dict[str, object]: ...

    def partner_down(self) -> None: ...


class ControlledServer(Protocol):
    """What the handler needs of the running server (ops/daemon.Daemon)."""

    @property
    def runners(self) -> Mapping[str, ControlledRelationship]: ...

    @property
    def view(self) -> LeaseView: ...


def default_control_path(pidfile: str) -> str:
    """The control socket beside the pid file: `/var/run/dhcpd.pid` gives
    `/var/run/dhcpd.ctl`; a pid file not ending in `.pid` gets `.ctl` appended."""
    path = Path(pidfile)
    if path.suffix == ".pid":
        return str(path.with_suffix(".ctl"))
    return str(path.with_name(path.name + ".ctl"))


class ServerControl:
    """The control socket's handler over one running server."""

    def __init__(self, server: ControlledServer) -> None:
        self.server = server
        self._commands: dict[str, Callable[[Request], Answer]] = {
            "status": self._status,
            "partner-down": self._partner_down,
        }

    def __call__(self, request: Request) -> Answer:
        command = request.get("command")
        run = self._commands.get(command) if isinstance(command, str) else None
        if run is None:
            known = ", ".join(self._commands)
            return error_answer(f"unknown command {command!r} (known: {known})")
        return run(request)

    def _status(self, _request: Request) -> Answer:
        view = self.server.view
        pools: list[dict[str, Any]] = [
            {"pool": count.pool_id, "network": count.network,
             "failover_peer": count.failover_peer, "total": count.total,
             "free": count.free, "backup": count.backup, "lts": count.lts}
            for count in view.pool_counts()
        ]
        return {
            "ok": True,
            "leases": len(view.table),
            "pools": pools,
            "failover": [runner.status() for runner in self.server.runners.values()],
        }

    def _partner_down(self, request: Request) -> Answer:
        peer = request.get("peer")
        runner = self.server.runners.get(peer) if isinstance(peer, str) else None
        if runner is None:
            known = ", ".join(self.server.runners) or "none"
            return error_answer(f"no failover peer {peer!r} (configured: {known})")
        before = runner.status()["my_state"]
        runner.partner_down()
        return {"ok": True, "peer": peer, "was": before, "state": runner.status()["my_state"]}
