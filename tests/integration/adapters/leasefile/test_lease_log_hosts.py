"""Host records (OMAPI's) in our lease log: written durably between events, without a
header, read back in file order after a restart (with the saved index and without),
carried by a rotation, and readable by ISC dhcpd's own lease-file rules."""

from __future__ import annotations

from pathlib import Path

from adapters.leasefile.lease_log import LeaseLog
from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.saved_index import index_path
from domain.lease import BindingState, Hardware, HostRecord
from domain.lease_events import Acked
from tests.integration.adapters.leasefile.test_lease_log import busy_day, lease, lease_event

MADE = HostRecord("omhost1", dynamic=True, hardware=Hardware(1, bytes.fromhex("0200000000e1")),
                  fixed_addresses=("10.0.0.60",), statements='\n        filename "pxe";')
GONE = HostRecord("omhost1", dynamic=True, deleted=True)


def names_and_flags(log: LeaseLog) -> list[tuple[str, bool]]:
    return [(record.name, record.deleted) for record, _ in log.host_records()]


def test_hosts_written_between_events_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    with LeaseLog(path) as log:
        busy_day(log, 2)
        log.append_host(MADE)
        log.append([lease_event(log, Acked, lease(40, BindingState.ACTIVE))])
        log.append_host(GONE)
        busy_day(log, 1)
        assert names_and_flags(log) == [("omhost1", False), ("omhost1", True)]
    for keep_index in (True, False):
        if not keep_index:
            index_path(path).unlink()
        with LeaseLog(path) as log:
            assert names_and_flags(log) == [("omhost1", False), ("omhost1", True)]
            [(made, text), _] = log.host_records()
            assert made == MADE and text.startswith("host omhost1 {\n  dynamic;\n")
            leases, _ = log.load_latest()
            assert "10.0.0.40" in {record.ip for record in leases}


def test_a_rotation_carries_the_host_records(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    with LeaseLog(path, rotate_bytes=1) as log:
        busy_day(log, 1)
        log.append_host(MADE)
        busy_day(log, 1)
        assert log.maybe_rotate() is not None
        assert names_and_flags(log) == [("omhost1", False)]
    with LeaseLog(path) as log:
        assert names_and_flags(log) == [("omhost1", False)]


def test_dhcpds_reader_finds_the_host_records_as_dhcpd_would(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    with LeaseLog(path) as log:
        busy_day(log, 1)
        log.append_host(MADE)
    hosts = [entry.record for entry in parse_lease_file(path.read_bytes(), str(path)).entries
             if isinstance(entry.record, HostRecord)]
    assert hosts == [MADE]
