"""The newest record of every address, as a startup takes it from the lease log.

A startup needs, per address, the newest record and its version, and nothing else of
the history.  Parsing 100,000 records costs more than a second, so the lease records
come in the lease table's packed form (`projections.packed_lease`), straight from the
saved index (`saved_index`) for every address whose newest event it covers; only the
events after it are read and parsed.  The same packed records are what the log saves
when it closes; for the leases it appends itself, the log packs them as it writes
them (`packed_as_written`), so a save parses only records others wrote.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from adapters.leasefile.address_versions import AddressVersions
from adapters.leasefile.event_index import IndexColumns
from adapters.leasefile.fast_reader import read_canonical_lease
from adapters.leasefile.isc_records import ISC_RECORD_TOPICS
from adapters.leasefile.quoting import db_printable
from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.saved_index import SavedIndex
from adapters.leasefile.store_errors import LeaseRecordError
from domain.lease import NEVER, FailoverStateRecord, Lease
from projections.addresses import ip_number, ip_text
from projections.packed_lease import PackedLease, pack


@dataclass
class LatestState:
    """The newest record of every address and failover relationship, in file order.

    `leases` pairs each address (as `ip_number` gives it) with its packed record;
    `versions` is the version of each aggregate's newest event (the daemon numbers its
    next events from these); `failover_states` is keyed by peer name."""

    leases: list[tuple[int, PackedLease]] = field(default_factory=list)
    versions: AddressVersions = field(default_factory=AddressVersions)
    failover_states: dict[str, FailoverStateRecord] = field(default_factory=dict)


def load_latest_state(
    entries: list[tuple[int, UUID | str, int, str]],
    saved: SavedIndex | None,
    read_state: Callable[[int], bytes],
    path: Path,
) -> LatestState:
    """The state the newest events hold: packed records from `saved` where it has the
    event's record, the others read (`read_state`) and parsed."""
    by_number: dict[int, int] = {}
    state = LatestState(versions=AddressVersions(by_number))
    # 100,000 records and more, none of them garbage: the cyclic collector would only
    # walk the growing heap again and again meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        leases, versions = state.leases, state.versions
        saved_leases = {} if saved is None else saved.packed_leases()
        for event, originator_id, version, topic in entries:
            if topic not in ISC_RECORD_TOPICS:
                continue
            found = saved_leases.get(event)
            if found is not None:  # the saved index keeps canonical addresses' records
                leases.append(found)
                by_number[found[0]] = version
                continue
            versions[str(originator_id)] = version
            record = read_record(read_state(event), path)
            if isinstance(record, Lease):
                number = ip_number(record.ip)
                canonical = ip_text(number) == record.ip  # else unpacking would change it
                leases.append((number, pack(record) if canonical else record))
            else:
                state.failover_states[record.peer] = record
    finally:
        if collecting:
            gc.enable()
    return state


def packed_records(
    columns: IndexColumns,
    read_state: Callable[[int], bytes],
    path: Path,
    known: dict[int, tuple[int, bytes]],
) -> tuple[bytes, array[int], array[int]]:
    """The records a saved index keeps for its rows: each row's packed lease (empty for
    a row that is no lease or whose lease the packed form cannot carry exactly), where
    each ends, and its address as a number.  `known` (event number -> address number
    and packed lease, from the index saved before) spares parsing those again."""
    parts: list[bytes] = []
    ends = array("q")
    addresses = array("q")
    size = 0
    for number, topic, originator_id in zip(columns.numbers, (columns.topics[t] for t in
                                            columns.topic_numbers), columns.originator_ids,
                                            strict=True):
        packed = b""
        if number in known:
            packed = known[number][1]
        elif topic in ISC_RECORD_TOPICS and not originator_id.startswith("failover:"):
            record = read_record(read_state(number), path)
            packed = _exactly_packed(record, originator_id)
        parts.append(packed)
        size += len(packed)
        ends.append(size)
        addresses.append(ip_number(originator_id) if packed else 0)
    return b"".join(parts), ends, addresses


def _exactly_packed(record: Lease | FailoverStateRecord, originator_id: str) -> bytes:
    """The lease packed, if reading it back gives it exactly (its address must be the
    canonical text of the originator id, which is what the row is found by)."""
    if not isinstance(record, Lease) or record.ip != originator_id:
        return b""
    if ip_text(ip_number(originator_id)) != originator_id:
        return b""
    packed = pack(record)
    return packed if isinstance(packed, bytes) else b""


_MAX_HARDWARE = 20  # octets of a hardware address ISC reads back (more: "too long")
# The first second of 2038: a date from then on is read back as `never` (see `dates`).
_YEAR_2038 = 2145916800


def packed_as_written(lease: Lease) -> bytes | None:
    """The packed form of what reading back the record `format_lease` writes for
    `lease` gives, when that is `lease` itself; None when it may not be (the save
    then parses the record).  The writer leaves out what ISC leaves out: a time of 0
    or less, an empty uid, an unprintable host name (those are left to the reading)
    and a next or rewind state equal to the binding state (packed as None, as they
    read back); and a date from 2038 on reads back as `never`.  Checking that
    costs a few microseconds; parsing the record back costs about fifteen."""
    if ip_text(ip_number(lease.ip)) != lease.ip:
        return None
    for t in (lease.starts, lease.ends, lease.tstp, lease.tsfp, lease.atsfp, lease.cltt):
        if t is not None and t != NEVER and not 0 < t < _YEAR_2038:
            return None
    if lease.uid == b"" or (lease.client_hostname is not None
                            and not db_printable(lease.client_hostname)):
        return None
    if lease.hardware is not None and len(lease.hardware.address) > _MAX_HARDWARE:
        return None
    state = lease.binding_state
    if state is not None and state in (lease.next_binding_state, lease.rewind_binding_state):
        # Left out when equal to the binding state, read back as None (a failover
        # peer's update usually rewinds to the state it sets).
        lease = lease.replace(
            next_binding_state=(None if lease.next_binding_state == state
                                else lease.next_binding_state),
            rewind_binding_state=(None if lease.rewind_binding_state == state
                                  else lease.rewind_binding_state))
    packed = pack(lease)
    return packed if isinstance(packed, bytes) else None


def read_record(state: bytes, path: Path) -> Lease | FailoverStateRecord:
    """The record of an event's state, by the codec's fast path when it is in the
    layout our writer and ISC's produce (startup reads 100,000 of them)."""
    text = without_notes(state)
    fast = read_canonical_lease(text.decode("latin-1"), 0) if text.startswith(b"lease ") else None
    return parse_record(text, path) if fast is None else fast[0]


def parse_record(text: bytes, path: Path) -> Lease | FailoverStateRecord:
    for entry in parse_lease_file(text, str(path)).entries:
        if isinstance(entry.record, Lease | FailoverStateRecord):
            return entry.record
    raise LeaseRecordError(f"{path}: a stored record no longer reads as one: {text[:60]!r}")


def without_notes(state: bytes) -> bytes:
    """The ISC record of an event's state: without the comment lines before it."""
    start = 0
    while state.startswith(b"#", start):
        start = state.index(b"\n", start) + 1
    return state[start:]
