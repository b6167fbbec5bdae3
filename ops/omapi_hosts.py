"""dhcpd's `host` objects over OMAPI: what omshell and Foreman's smart proxy use to add
and remove reservations (server/omapi.c `dhcp_host_*`, server/mdb.c `enter_host`,
`delete_host`).

A host made through OMAPI is written to the lease file as dhcpd writes it (`host NAME
{ dynamic; hardware …; fixed-address …; }`), durably, before the answer; removing one
writes `host NAME { dynamic; deleted; }` (`host NAME { deleted; }` for a configured
host).  The served configuration is then the configuration with the lease file's hosts
applied (`lease_file_hosts`), exactly as after a restart, so what OMAPI did survives
one.  A host is checked by that same reading before anything is written: statements
that do not read are refused ("bad parse") and change nothing.

dhcpd's rules: a host needs a hardware address or a client identifier; a name, hardware
address or client identifier is set once (EXISTS when set again); a name already in
use is EXISTS; no name gives one made up (`nh` + time + a number).  Changing a
configured host through OMAPI is not done here ("not implemented"); removing one is.

dhcpd.conf edited since start-up: a host change is refused (logged), since reading
the file again would serve its new contents beside pools and leases built from the
old one; a restart serves the new file and the hosts.

Cost: each change reads dhcpd.conf again (0.4 s for 3,000 configured hosts here),
while DHCP waits; dhcpd changes its tables in place.  Host changes are rare (one per
machine provisioned), so this is the price of serving exactly what a restart serves.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.store_errors import LeaseFileError
from adapters.leasefile.writer import format_host
from adapters.omapi_objects_port import (
    BAD_PARSE,
    EXISTS,
    INVALID_ARG,
    IO_ERROR,
    KEY_CONFLICT,
    NO_KEYS,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    UNEXPECTED,
    UNKNOWN_ATTRIBUTE,
    ObjectRef,
    Value,
)
from adapters.omapi_wire import int_value, read_int
from domain.config.declarations import HostConfig
from domain.config.model import DhcpConfig
from domain.lease import Hardware, HostRecord, Lease
from ops.lease_file_hosts import apply_lease_file_hosts

if TYPE_CHECKING:
    from ops.daemon import Daemon

HOST = "host"
ETHERNET = 1
_SETTABLE = frozenset({"name", "group", "hardware-address", "hardware-type",
                       "dhcp-client-identifier", "ip-address", "statements", "known"})


class HostDirectory:
    """The served hosts (configured and the lease file's) and OMAPI's changes to them."""

    def __init__(self, daemon: Daemon, config_path: str, configured: DhcpConfig,
                 *, errors: Sequence[str] = (), workdir: str | None = None,
                 clock: int | None = None) -> None:
        """`errors`: what applying the lease file's hosts at start-up gave (a change
        is refused for the errors it adds)."""
        self._daemon = daemon
        self._config_path = config_path
        self._workdir = workdir
        self._configured = configured  # dhcpd.conf alone, before the lease file's hosts
        self._numbers = itertools.count(1)
        self._clock = clock
        self._errors_before = tuple(errors)
        self._files = _fingerprints(configured.files, workdir)

    def lookup(self, values: Mapping[str, bytes]) -> ObjectRef | int:
        """dhcp_host_lookup: client identifier, hardware address, the host of the lease
        at an address, name; each given must name the same host."""
        config = self._daemon.config
        found: HostConfig | None = None
        candidates: list[HostConfig | None] = []
        if "dhcp-client-identifier" in values:
            candidates.append(config.host_by_client_id(values["dhcp-client-identifier"]))
        if "hardware-address" in values:
            hardware = hardware_from(values)
            if hardware is None:
                return INVALID_ARG
            candidates.append(config.host_by_hardware(hardware.htype, hardware.address))
        if "ip-address" in values:
            lease = self._lease_at(values["ip-address"])
            hardware = lease.hardware if lease is not None else None
            candidates.append(None if hardware is None
                              else config.host_by_hardware(hardware.htype, hardware.address))
        if "name" in values:
            candidates.append(self._served(values["name"].decode("latin-1")))
        if not candidates:
            return NO_KEYS
        for candidate in candidates:
            if candidate is None:
                return NOT_FOUND
            if found is not None and candidate.name != found.name:
                return KEY_CONFLICT
            found = candidate
        assert found is not None
        return ObjectRef(HOST, found.name)

    def published(self, name: str) -> list[tuple[str, Value]] | None:
        """dhcp_host_stuff_values: fixed addresses, client identifier, name, hardware."""
        host = self._served(name)
        if host is None:
            return None
        values: list[tuple[str, Value]] = []
        addresses = host.fixed_ipv4_addresses()
        if addresses:
            values.append(("ip-address", b"".join(a.packed for a in addresses)))
        if host.client_identifier:
            values.append(("dhcp-client-identifier", host.client_identifier))
        values.append(("name", host.name.encode("latin-1")))
        if host.hardware is not None:
            values.append(("hardware-address", host.hardware.address))
            values.append(("hardware-type", int_value(host.hardware.htype)))
        return values

    def create(self, values: Sequence[tuple[str, bytes]]) -> ObjectRef | int:
        """An OPEN with `create`: the values set on a new host, then dhcpd's "updated"
        checks, then the record written and served."""
        draft = _Draft()
        for name, value in values:
            status = draft.set(name, value)
            if status != SUCCESS:
                return status
        if draft.hardware is None and not draft.uid:
            return INVALID_ARG  # "there must be a client identifier of some sort"
        if draft.name is None:
            now = self._clock if self._clock is not None else int(self._daemon.now())
            draft.name = f"nh{now:08x}{next(self._numbers):08x}"
        if self._served(draft.name) is not None:
            return EXISTS
        status = self._write(draft.record())
        return ObjectRef(HOST, draft.name) if status == SUCCESS else status

    def update(self, name: str, values: Sequence[tuple[str, bytes]]) -> int:
        """An UPDATE of a host OMAPI made: the record written again (deleted, then as it
        now is, as dhcpd writes it)."""
        host = self._served(name)
        if host is None:
            return NOT_FOUND
        if host.where is not None:
            return NOT_IMPLEMENTED  # a configured host: not changed through OMAPI here
        current = self._lease_file_record(name)
        if current is None:
            return NOT_FOUND
        draft = _Draft.of(current)
        for attribute, value in values:
            status = draft.set(attribute, value)
            if status != SUCCESS:
                return status
        return self._write(HostRecord(name, dynamic=True, deleted=True), draft.record())

    def remove(self, name: str) -> int:
        """dhcp_host_remove: the deletion recorded, the host no longer served."""
        host = self._served(name)
        if host is None:
            return NOT_FOUND
        return self._write(HostRecord(name, dynamic=host.where is None, deleted=True))

    # -- the lease file ------------------------------------------------------------------

    def _write(self, *records: HostRecord) -> int:
        """Check `records` read as the lease file's hosts, then write them durably and
        serve the result; nothing is written when they would not be served."""
        written = [(record, format_host(record)) for record in records]
        for record, text in written:
            if not _reads_back(record, text):
                self._daemon.logger.info("OMAPI: host %r refused: its record would not"
                                         " read back", record.name)
                return INVALID_ARG
        if _fingerprints(self._configured.files, self._workdir) != self._files:
            # Reading the file again would serve its new contents beside pools and
            # leases built from the old: refuse, and say how to get out of it.
            self._daemon.logger.error(
                "OMAPI: host change refused: %s changed since start-up; restart the"
                " server to serve it (then change hosts again)", self._config_path)
            return UNEXPECTED
        lease_log = self._daemon.log
        applied = apply_lease_file_hosts(self._config_path, self._configured,
                                         [*lease_log.host_records(), *written],
                                         workdir=self._workdir)
        new_errors = applied.errors[len(self._errors_before):]
        if new_errors:
            self._daemon.logger.info("OMAPI: host refused: %s", "; ".join(new_errors))
            return EXISTS if all("already exists" in e for e in new_errors) else BAD_PARSE
        try:
            for record in records:
                lease_log.append_host(record)
        except LeaseFileError as error:
            self._daemon.logger.error("OMAPI: can't write the host record: %s", error)
            return IO_ERROR
        self._daemon.config = applied.config
        self._errors_before = applied.errors
        return SUCCESS

    def _served(self, name: str) -> HostConfig | None:
        return next((host for host in self._daemon.config.hosts if host.name == name), None)

    def _lease_file_record(self, name: str) -> HostRecord | None:
        current = None
        for record, _text in self._daemon.log.host_records():
            if record.name == name:
                current = None if record.deleted else record
        return current

    def _lease_at(self, raw: bytes) -> Lease | None:
        if len(raw) != 4:
            return None
        return self._daemon.view.table.get(str(ipaddress.IPv4Address(raw)))


def _fingerprints(files: Sequence[str], workdir: str | None) -> dict[str, bytes | None]:
    """Each configuration file's digest (None: unreadable), to tell an edited
    configuration from the one being served."""
    found: dict[str, bytes | None] = {}
    for name in files:
        path = Path(name) if workdir is None else Path(workdir) / name
        try:
            found[name] = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            found[name] = None
    return found


def _reads_back(record: HostRecord, text: str) -> bool:
    """Whether `text`, the record as written, reads back by dhcpd's lease-file rules as
    exactly this one record and nothing else: a name or statements that would end the
    record early, or smuggle in another one, must never reach the lease file."""
    parsed = parse_lease_file(text, "OMAPI host")
    entries = [entry for entry in parsed.entries if entry.record is not None]
    return (parsed.fatal is None and not parsed.diagnostics and len(entries) == 1
            and entries[0].record == record and parsed.complete_until == len(text))


def hardware_from(values: Mapping[str, bytes]) -> Hardware | None:
    """`hardware-address` with `hardware-type` (4-byte integer; ethernet when absent),
    as dhcpd's lease and host lookups read them; None when the type is malformed."""
    kind = values.get("hardware-type")
    htype = ETHERNET if kind is None else read_int(kind)
    if htype is None or not 0 <= htype <= 255:
        return None
    return Hardware(htype, values["hardware-address"])


class _Draft:
    """A host as dhcp_host_set_value builds it, value by value."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.group: str | None = None
        self.hardware: Hardware | None = None
        self.htype = ETHERNET
        self.uid: bytes | None = None
        self.addresses: tuple[str, ...] = ()
        self.statements = ""

    @classmethod
    def of(cls, record: HostRecord) -> _Draft:
        draft = cls()
        draft.name, draft.group, draft.uid = record.name, record.group, record.uid
        draft.hardware = record.hardware
        if record.hardware is not None:
            draft.htype = record.hardware.htype
        draft.addresses, draft.statements = record.fixed_addresses, record.statements
        return draft

    def set(self, name: str, value: bytes) -> int:
        if name not in _SETTABLE:
            return UNKNOWN_ATTRIBUTE
        if name == "name":
            if self.name is not None:
                return EXISTS
            self.name = value.decode("latin-1")
        elif name == "group":
            self.group = value.decode("latin-1")
        elif name == "hardware-address":
            if self.hardware is not None:
                return EXISTS
            if len(value) > 16:
                return INVALID_ARG
            self.hardware = Hardware(self.htype, value)
        elif name == "hardware-type":
            number = read_int(value)
            if number is None:
                return INVALID_ARG
            self.htype = number & 0xFF
            if self.hardware is not None:
                self.hardware = Hardware(self.htype, self.hardware.address)
        elif name == "dhcp-client-identifier":
            if self.uid is not None:
                return EXISTS
            self.uid = value
        elif name == "ip-address":
            self.addresses = tuple(str(ipaddress.IPv4Address(value[i:i + 4]))
                                   for i in range(0, len(value) - 3, 4))
        elif name == "statements":
            text = value.decode("latin-1").strip()
            self.statements = f"\n        {text}" if text else ""
        return SUCCESS  # "known" is accepted and not kept, as in dhcpd

    def record(self) -> HostRecord:
        assert self.name is not None
        return HostRecord(self.name, dynamic=True, hardware=self.hardware, uid=self.uid,
                          fixed_addresses=self.addresses, group=self.group,
                          statements=self.statements)
