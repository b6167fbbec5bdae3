"""Two `FailoverPartner`s wired back to back with in-memory leases (the domain's
failover, no sockets, no disk): shared by the partner's unit tests and the failover
property tests."""

from __future__ import annotations

import ipaddress
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.partner import BalancePool, FailoverPartner, PartnerAction, StoreLease
from domain.failover.session import FailoverSession, Transmit
from domain.failover.states import LogLine
from domain.lease import BindingState, Lease

T0 = 1_800_000_000
POOL = [f"10.0.0.{n}" for n in range(100, 120)]


def config(role: str, max_unacked: int = 10) -> FailoverPeerConfig:
    primary = role == "primary"
    return FailoverPeerConfig(
        name="fo", role=role, address="10.0.0.10" if primary else "10.0.0.12",
        peer_address="10.0.0.12" if primary else "10.0.0.10", max_response_delay=10,
        max_unacked_updates=max_unacked, mclt=30 if primary else None,
        split=128 if primary else None, referring_pools=(0,),
    )


@dataclass
class MemoryLeases:
    """The relationship's pool as a dict; absent addresses are FREE, as ISC makes them."""

    role: str
    records: dict[str, Lease] = field(default_factory=dict)

    def get(self, ip: str) -> Lease | None:
        if ip in self.records:
            return self.records[ip]
        return Lease(ip=ip, binding_state=BindingState.FREE) if ip in POOL else None

    def in_relationship(self, ip: str) -> bool:
        return ip in POOL

    def addresses(self) -> Iterator[str]:
        return iter(POOL)

    def owed(self) -> Iterator[str]:
        for ip, lease in self.records.items():
            if (lease.tstp or 0) > (lease.tsfp or 0):
                yield ip

    def pools(self) -> Sequence[BalancePool]:
        leases = [self.get(ip) for ip in POOL]
        states = [lease.binding_state for lease in leases if lease]
        own = BindingState.FREE if self.role == "primary" else BindingState.BACKUP
        queue = sorted((lease for lease in leases if lease and lease.binding_state is own),
                       key=lambda lease: (lease.ends or 0, ipaddress.IPv4Address(lease.ip)))
        return [BalancePool("pool 0 10.0.0.0/24", len(POOL), states.count(BindingState.FREE),
                            states.count(BindingState.BACKUP), queue)]

    def queue_heads(self) -> Sequence[tuple[Lease | None, Lease | None]]:
        leases = [lease for ip in POOL if (lease := self.get(ip)) is not None]

        def head(state: BindingState) -> Lease | None:
            queue = [lease for lease in leases if lease.binding_state is state]
            return min(queue, key=lambda lease: lease.ends or 0, default=None)

        return [(head(BindingState.FREE), head(BindingState.BACKUP))]

    def counts(self) -> tuple[int, int]:
        pool = self.pools()[0]
        return pool.free, pool.backup

    def free_and_backup(self, ip: str) -> tuple[int, int]:
        assert ip in POOL
        return self.counts()


class Pair:
    """A primary and a secondary, each message handed across at once, every store
    applied at once (then its `then` carried out)."""

    def __init__(self, max_unacked: int = 10) -> None:
        self.leases = {role: MemoryLeases(role) for role in ("primary", "secondary")}
        self.partners = {
            role: FailoverPartner(
                FailoverSession.resume(config(role, max_unacked), None, T0), self.leases[role])
            for role in ("primary", "secondary")
        }
        self.lines: list[str] = []
        self.wire: list[tuple[str, object]] = []
        self._queue: deque[tuple[str, list[PartnerAction]]] = deque()

    def connect(self, now: int = T0) -> None:
        for role, partner in self.partners.items():
            self._queue.append((role, partner.carry(partner.session.start(now), now)))
        for role in ("secondary", "primary"):
            session = self.partners[role].session
            self._queue.append((role, self.partners[role].carry(
                session.connection_made(1, now), now)))
        self.run(now)

    def change(self, role: str, lease: Lease, now: int = T0) -> None:
        self.leases[role].records[lease.ip] = lease
        self._queue.append((role, self.partners[role].lease_stored(lease, now)))
        self.run(now)

    def run(self, now: int = T0) -> None:
        while self._queue:
            role, actions = self._queue.popleft()
            other = "secondary" if role == "primary" else "primary"
            for action in actions:
                self._carry(role, other, action, now)

    def _carry(self, role: str, other: str, action: PartnerAction, now: int) -> None:
        partner = self.partners[role]
        if isinstance(action, Transmit):
            self.wire.append((role, action.message))
            target = self.partners[other]
            self._queue.append((other, target.carry(
                target.session.message_received(1, action.message, now), now)))
        elif isinstance(action, StoreLease):
            self.leases[role].records[action.change.lease.ip] = action.change.lease
            self._queue.append((role, partner.carry(list(action.then), now)))
            if action.propagate:
                self._queue.append((role, partner.lease_stored(action.change.lease, now)))
        elif isinstance(action, LogLine):
            self.lines.append(f"{role}: {action.text}")

    def sent(self, role: str, kind: type) -> list:
        return [message for who, message in self.wire if who == role and isinstance(message, kind)]
