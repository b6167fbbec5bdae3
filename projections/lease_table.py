"""The lease table: the current record of every address, and who holds what.

The DHCP core answers "what does this client already have?" on every DISCOVER and
REQUEST (ISC `find_lease`: by client identifier, then by hardware address), so the
table keeps both indexes beside the address map.  It is rebuilt by replaying the log
("the last record of an address wins", as dhcpd loads its lease file) and updated after
every commit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterator, Sequence

from domain.lease import BindingState, Hardware, Lease
from projections.addresses import ip_number, ip_text
from projections.packed_lease import (
    PackedLease,
    binding_state_of,
    hardware_key,
    pack,
    unpack,
)

# A client index maps a client to the number of its address, or to a set of numbers for
# the rare client that holds several: a set for every client would cost 200 bytes each.
_ClientIndex = dict[bytes | tuple[int, bytes], int | set[int]]

# How many records the table keeps as Lease objects beside their packed form: those
# written or read most recently.  An exchange reads the same few records several times
# (the offered lease at DISCOVER, again at REQUEST, again when the ACK is stored and
# sent to a failover peer; the head of a free queue for every DISCOVER until it is
# offered), and unpacking one costs more than the lookup that wants it.
RECENT_RECORDS = 4096


class LeaseTable:
    """ip -> current Lease, with client-identifier and hardware indexes.

    Records are kept packed (`packed_lease`) and keyed by address number; what the
    table hands out are Lease objects, as it was given them."""

    def __init__(self) -> None:
        self._by_ip: dict[int, PackedLease] = {}
        # Oldest first, at most RECENT_RECORDS (an OrderedDict drops its oldest entry in
        # constant time; a dict's first key gets slower to find as entries are deleted).
        self._recent: OrderedDict[int, Lease] = OrderedDict()
        self._by_uid: _ClientIndex = {}
        self._by_hardware: _ClientIndex = {}

    def __len__(self) -> int:
        return len(self._by_ip)

    def __iter__(self) -> Iterator[Lease]:
        return (unpack(ip_text(number), packed) for number, packed in self._by_ip.items())

    def get(self, ip: str) -> Lease | None:
        number = ip_number(ip)
        return self._record(number, ip) if number in self._by_ip else None

    def apply(self, lease: Lease) -> Lease | None:
        """Replace the record of `lease.ip`; return the record it replaced."""
        number = ip_number(lease.ip)
        old = self._recent.pop(number, None)
        if old is None:
            packed = self._by_ip.get(number)
            old = None if packed is None else unpack(lease.ip, packed)
        self._remember(number, lease)
        if old is not None:
            _unindex(self._by_uid, old.uid, number)
            _unindex(self._by_hardware, hardware_key(old.hardware), number)
        self._by_ip[number] = pack(lease)
        key = hardware_key(lease.hardware)
        uid = lease.uid
        if uid is not None and uid == key:
            uid = key  # most clients' id is type + MAC: keep one key object
        _index(self._by_uid, uid, number)
        _index(self._by_hardware, key, number)
        return old

    def _remember(self, number: int, lease: Lease) -> None:
        recent = self._recent
        recent[number] = lease
        if len(recent) > RECENT_RECORDS:
            recent.popitem(last=False)

    def load(
        self,
        records: dict[int, PackedLease],
        uids: Sequence[bytes | None],
        keys: Sequence[bytes | tuple[int, bytes] | None],
    ) -> None:
        """Startup: take `records` (address number -> packed record, one per address)
        as the whole table, indexing each client once; `uids` and `keys` are the
        records' client ids and hardware keys (`packed_lease.summary`), in the same
        order.  The table must be empty."""
        if self._by_ip:
            raise ValueError("only an empty lease table is loaded")
        self._by_ip = records
        by_uid, by_hardware = self._by_uid, self._by_hardware
        for number, uid, key in zip(records, uids, keys, strict=True):
            if uid is not None and uid == key:
                uid = key  # as in `apply`: one key object for both indexes
            _index(by_uid, uid, number)
            _index(by_hardware, key, number)

    def by_client_id(self, uid: bytes) -> list[Lease]:
        """Every lease recorded for this client identifier (option 61), by address."""
        return self._leases(self._by_uid.get(uid))

    def by_hardware(self, hardware: Hardware) -> list[Lease]:
        """Every lease recorded for this hardware address, by address."""
        key = hardware_key(hardware)
        return self._leases(None if key is None else self._by_hardware.get(key))

    def in_state(self, state: BindingState) -> list[Lease]:
        return self.in_states((state,))

    def in_states(self, states: Collection[BindingState]) -> list[Lease]:
        """The records in any of `states`, in table order.  Only those are unpacked:
        after a startup, a sweep for the few expired or backup leases among 100,000
        active ones costs milliseconds instead of a second."""
        wanted = frozenset(states)
        return [unpack(ip_text(number), packed) for number, packed in self._by_ip.items()
                if binding_state_of(packed) in wanted]

    def _leases(self, held: int | set[int] | None) -> list[Lease]:
        if held is None:
            return []
        numbers = sorted(held) if isinstance(held, set) else [held]
        return [self._record(number) for number in numbers]

    def _record(self, number: int, ip: str | None = None) -> Lease:
        """The record of an address the table holds (`ip`: its text, if the caller has
        it): kept as an object if recent, else unpacked and kept."""
        lease = self._recent.get(number)
        if lease is None:
            lease = unpack(ip_text(number) if ip is None else ip, self._by_ip[number])
            self._remember(number, lease)
        return lease


def _index(index: _ClientIndex, key: bytes | tuple[int, bytes] | None, number: int) -> None:
    if not key:
        return
    held = index.get(key)
    if held is None:
        index[key] = number
    elif isinstance(held, set):
        held.add(number)
    elif held != number:
        index[key] = {held, number}


def _unindex(index: _ClientIndex, key: bytes | tuple[int, bytes] | None, number: int) -> None:
    if not key:
        return
    held = index.get(key)
    if isinstance(held, set):
        held.discard(number)
        if len(held) == 1:
            index[key] = held.pop()
    elif held == number:
        del index[key]
