"""Leases the failover peer has not yet been told about.

A lease whose time-sent-to-peer (`tstp`) is later than the time the peer last
acknowledged (`tsfp`) still owes the peer a BNDUPD; after a reconnect these are what
must be sent again (spec failover.md §7.3).  Only leases of pools with a failover peer
count: ISC fills in `tstp` on every lease it loads, failover or not.
"""

from __future__ import annotations

from domain.lease import Lease


def owes_peer(lease: Lease) -> bool:
    """Whether the peer has not acknowledged this version of the lease."""
    if lease.tstp is None:
        return False
    return lease.tsfp is None or lease.tstp > lease.tsfp


class PeerBacklog:
    """The addresses, per failover relationship, whose update the peer has not acked."""

    def __init__(self) -> None:
        self._pending: dict[str, set[str]] = {}

    def apply(self, lease: Lease, peer: str | None) -> None:
        if peer is None:
            return
        pending = self._pending.setdefault(peer, set())
        if owes_peer(lease):
            pending.add(lease.ip)
        else:
            pending.discard(lease.ip)

    def pending(self, peer: str) -> set[str]:
        return set(self._pending.get(peer, ()))

    def count(self, peer: str) -> int:
        return len(self._pending.get(peer, ()))
