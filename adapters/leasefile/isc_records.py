"""What of dhcpd.leases is an event: ISC records, whether we wrote them or ISC did.

The events whose state is an ISC record (every lease and failover event) are written
into the file as the record itself; `ISC_RECORD_TOPICS` names them for the store.
Text that has no header in front of it was written by ISC dhcpd (or by hand): its
`lease` and `failover peer … state` records become `Imported` events, in file order,
read by the lease-file codec exactly as dhcpd reads them.  Its other records (hosts,
classes, the server DUID, the byte-order line) belong to no aggregate: they stay in
the file as they are, where dhcpd still reads them.
"""

from __future__ import annotations

from adapters.leasefile.log_scan import HeaderlessRead, HeaderlessRecord
from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.store_errors import LeaseFileError
from domain import failover_events, lease_events
from domain.failover_events import failover_id
from domain.lease import FailoverStateRecord, Lease

ISC_RECORD_TOPICS = frozenset(
    [cls.TOPIC for cls in lease_events.LEASE_EVENT_CLASSES]
    + [cls.TOPIC for cls in failover_events.FAILOVER_EVENT_CLASSES]
)


def read_isc_records(data: bytes, base: int, name: str) -> HeaderlessRead:
    """The `Imported` events in `data`, headerless text found at byte `base` of the
    lease file `name`.

    What dhcpd would complain about comes back as complaints (the records concerned
    are left out, as dhcpd leaves them out).  What would make dhcpd refuse the file
    altogether (its log_fatal) is raised as LeaseFileError: we refuse it too."""
    where = name if base == 0 else f"{name} (headerless text from byte {base})"
    parsed = parse_lease_file(data, where)
    if parsed.fatal is not None:
        raise LeaseFileError(f"{where}: {parsed.fatal.first_line}")
    records = []
    for entry in parsed.entries:
        record = entry.record
        if not entry.complete:
            break
        if isinstance(record, Lease):
            records.append(HeaderlessRecord(record.ip, lease_events.Imported.TOPIC,
                                            base + entry.start, entry.end - entry.start))
        elif isinstance(record, FailoverStateRecord):
            records.append(HeaderlessRecord(failover_id(record.peer),
                                            failover_events.Imported.TOPIC,
                                            base + entry.start, entry.end - entry.start))
    complaints = [
        line if line.startswith(where) else f"{where}: {line}"
        for line in (d.first_line for d in parsed.diagnostics)
    ]
    return HeaderlessRead(records, complaints, parsed.complete_until)
