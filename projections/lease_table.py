"""The lease table: the current record of every address, and who holds what.

The DHCP core answers "what does this client already have?" on every DISCOVER and
REQUEST (ISC `find_lease`: by client identifier, then by hardware address), so the
table keeps both indexes beside the address map.  It is rebuilt by replaying the log
("the last record of an address wins", as dhcpd loads its lease file) and updated after
every commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from domain.lease import BindingState, Hardware, Lease


class LeaseTable:
    """ip -> current Lease, with client-identifier and hardware indexes."""

    def __init__(self) -> None:
        self._by_ip: dict[str, Lease] = {}
        self._by_uid: dict[bytes, set[str]] = {}
        self._by_hardware: dict[Hardware, set[str]] = {}

    def __len__(self) -> int:
        return len(self._by_ip)

    def __iter__(self) -> Iterator[Lease]:
        return iter(self._by_ip.values())

    def get(self, ip: str) -> Lease | None:
        return self._by_ip.get(ip)

    def apply(self, lease: Lease) -> Lease | None:
        """Replace the record of `lease.ip`; return the record it replaced."""
        old = self._by_ip.get(lease.ip)
        if old is not None:
            _unindex(self._by_uid, old.uid, old.ip)
            _unindex(self._by_hardware, old.hardware, old.ip)
        self._by_ip[lease.ip] = lease
        if lease.uid:
            self._by_uid.setdefault(lease.uid, set()).add(lease.ip)
        if lease.hardware is not None and lease.hardware.address:
            self._by_hardware.setdefault(lease.hardware, set()).add(lease.ip)
        return old

    def by_client_id(self, uid: bytes) -> list[Lease]:
        """Every lease recorded for this client identifier (option 61)."""
        return [self._by_ip[ip] for ip in sorted(self._by_uid.get(uid, ()))]

    def by_hardware(self, hardware: Hardware) -> list[Lease]:
        """Every lease recorded for this hardware address."""
        return [self._by_ip[ip] for ip in sorted(self._by_hardware.get(hardware, ()))]

    def in_state(self, state: BindingState) -> list[Lease]:
        return [lease for lease in self._by_ip.values() if lease.binding_state is state]


def _unindex(index: dict, key: object, ip: str) -> None:
    if not key:
        return
    ips = index.get(key)
    if ips is not None:
        ips.discard(ip)
        if not ips:
            del index[key]
