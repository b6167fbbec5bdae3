"""A relay agent configured with both servers of a failover pair, for the demo.

Real relays in front of a pair (`dhcrelay 10.0.0.10 10.0.0.12`) forward every
DISCOVER to both servers; while both are normal the load-balancing hash lets only
one of them answer, and the client takes the first offer it gets.  Here each server
has its own `RelayClient` (a relay is answered on the server's own port, and the two
servers' ports differ on loopback); the client's DISCOVER goes to both at once and
the first complete exchange wins, the other is abandoned as a client abandons a
second offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import trio

from domain.dhcp_packet import Opt
from ops.loopback_client import Exchange, RelayClient

WAIT_SECONDS = 0.5  # per try; a server that ignores the DISCOVER costs three tries


@dataclass(frozen=True)
class Answered:
    """Which server gave `mac` which address (None: no server answered)."""

    mac: str
    hostname: str
    server: str | None
    address: str | None
    seconds: int | None = None  # the lease time the ACK gave


class PairRelay:
    """Forwards each client's DISCOVER to every server in `servers` (label → port)."""

    def __init__(self, servers: Mapping[str, int], relay_address: str, link: str) -> None:
        self._clients = {label: RelayClient(("127.0.0.1", port), relay_address, link)
                         for label, port in servers.items()}

    async def open(self) -> PairRelay:
        for client in self._clients.values():
            await client.open()
        return self

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    async def lease(self, mac: str, hostname: str, *, secs: int = 0) -> Answered:
        """One client's DORA through both servers; the first ACK wins."""
        won: list[tuple[str, Exchange]] = []
        hardware = bytes.fromhex(mac.replace(":", ""))

        async def ask(label: str, client: RelayClient, nursery: trio.Nursery) -> None:
            exchange = await client.dora(hardware, hostname=hostname, wait=WAIT_SECONDS,
                                         secs=secs)
            if exchange.address is not None and not won:
                won.append((label, exchange))
                nursery.cancel_scope.cancel()

        async with trio.open_nursery() as nursery:
            for label, client in self._clients.items():
                nursery.start_soon(ask, label, client, nursery)
        if not won:
            return Answered(mac, hostname, None, None)
        label, exchange = won[0]
        assert exchange.answer is not None
        time = exchange.answer.option(Opt.LEASE_TIME)
        return Answered(mac, hostname, label, exchange.address,
                        int.from_bytes(time, "big") if time else None)
