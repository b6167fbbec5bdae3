"""dhcpd's OMAPI port for `serve`: `omapi-port N;` and `omapi-key NAME;` as dhcpd reads
them (server/dhcpd.c), the listener started once the server serves.

An `omapi-key` that names no declared key stops start-up (and `-t`) with dhcpd's
line, `OMAPI key NAME: not found`.  The port is bound on `serve --listen`'s address
(all addresses by default, as dhcpd binds it); a port that cannot be bound is logged
as dhcpd logs it, and tried again every 5 seconds as dhcpd does, while DHCP is served.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from adapters.omapi_session import HandleTable, OmapiConnection
from adapters.omapi_tcp import OmapiListener
from adapters.omapi_wire import OmapiKey
from domain.config.model import DhcpConfig
from ops.omapi_hosts import HostDirectory
from ops.omapi_objects import ServerObjects

if TYPE_CHECKING:
    from ops.daemon import Daemon

RETRY_SECONDS = 5


def omapi_key_error(config: DhcpConfig) -> str | None:
    """dhcpd's fatal line when `omapi-key` names no declared key, else None."""
    name = config.global_parameters.omapi_key
    if name is None or _keys(config).get(name.lower()) is not None:
        return None
    return f"OMAPI key {name}: not found"


@dataclass(frozen=True)
class OmapiSettings:
    """What the OMAPI port needs beyond the daemon: the configuration file and its
    model as read (before the lease file's hosts: host changes are applied to it
    again), and the address to bind."""

    config_path: str
    configured: DhcpConfig
    address: str
    workdir: str  # where the configuration was read (relative includes)
    host_errors: tuple[str, ...] = ()  # what the lease file's hosts gave at start-up


async def start_omapi(nursery: trio.Nursery, daemon: Daemon, settings: OmapiSettings,
                      logger: logging.Logger, shutdown: Callable[[], None]) -> None:
    """Serve OMAPI in `nursery` when the configuration sets `omapi-port`."""
    config = settings.configured
    port = config.global_parameters.omapi_port
    if port is None:
        return
    keys = _keys(config)
    name = config.global_parameters.omapi_key
    required = keys[name.lower()] if name is not None else None
    handles = HandleTable()
    hosts = HostDirectory(daemon, settings.config_path, config, errors=settings.host_errors,
                          workdir=settings.workdir)
    objects = ServerObjects(daemon, shutdown, hosts)
    address = settings.address

    def new_connection() -> OmapiConnection:
        return OmapiConnection(objects, handles, keys=keys, required=required)

    try:
        listener = await OmapiListener.open(address, port, new_connection, objects.settle)
    except OSError as exc:
        logger.error("Can't start OMAPI protocol: %s", exc.strerror or exc)
        nursery.start_soon(_retry, address, port, new_connection, objects.settle, logger)
        return
    await nursery.start(listener.serve)


async def _retry(address: str, port: int, new_connection: Callable[[], OmapiConnection],
                 settle: Callable[[], Awaitable[None]], logger: logging.Logger) -> None:
    """dhcpd tries again every 5 seconds (omapi_listener_start), logging each failure."""
    while True:
        await trio.sleep(RETRY_SECONDS)
        try:
            listener = await OmapiListener.open(address, port, new_connection, settle)
        except OSError as exc:
            logger.error("Can't start OMAPI protocol: %s", exc.strerror or exc)
            continue
        await listener.serve()


def _keys(config: DhcpConfig) -> dict[str, OmapiKey]:
    return {key.name.lower(): OmapiKey(key.name, key.algorithm, key.secret)
            for key in config.keys}
