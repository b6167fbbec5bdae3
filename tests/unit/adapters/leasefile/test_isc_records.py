"""Headerless text (an ISC-written file) read as Imported events."""

from __future__ import annotations

import pytest

from adapters.leasefile.isc_records import ISC_RECORD_TOPICS, read_isc_records
from adapters.leasefile.store_errors import LeaseFileError

ISC_FILE = b"""\
# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3-P1

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

failover peer "fo" state {
  my state normal at 5 2026/11/27 17:00:00;
  partner state normal at 5 2026/11/27 17:00:00;
}
host omhost1 {
  dynamic;
  hardware ethernet 02:00:00:00:00:e1;
  fixed-address 10.77.0.60;
}
lease 10.77.0.101 {
  starts 5 2026/11/27 17:45:31;
  binding state free;
}
lease 10.77.0.100 {
  starts 5 2026/11/27 17:44:30;
  binding state active;
}
"""


def test_leases_and_failover_states_become_imports_in_file_order() -> None:
    read = read_isc_records(ISC_FILE, 1000, "dhcpd.leases")
    assert [(r.originator_id, r.topic) for r in read.records] == [
        ("failover:fo", "failover.Imported"),
        ("10.77.0.101", "lease.Imported"),
        ("10.77.0.100", "lease.Imported"),
    ]
    for record in read.records:
        text = ISC_FILE[record.offset - 1000 : record.offset - 1000 + record.length]
        assert text.startswith((b"lease ", b"failover peer ")) and text.endswith(b"}\n")
    assert read.complaints == []
    assert read.complete_until == len(ISC_FILE)


def test_a_torn_last_record_is_not_complete() -> None:
    torn = ISC_FILE[:-20]
    read = read_isc_records(torn, 0, "dhcpd.leases")
    assert [r.originator_id for r in read.records] == ["failover:fo", "10.77.0.101"]
    assert read.complete_until == ISC_FILE.index(b"lease 10.77.0.100")


def test_what_dhcpd_complains_about_is_reported_with_the_file_name() -> None:
    text = b"lease 10.0.0.1 {\n  binding state bogus;\n}\n"
    read = read_isc_records(text, 0, "/var/lib/dhcp/dhcpd.leases")
    assert read.records == []
    assert read.complaints[0] == (
        "/var/lib/dhcp/dhcpd.leases line 2: bogus: expecting a binding state."
    )
    assert all(c.startswith("/var/lib/dhcp/dhcpd.leases") for c in read.complaints)


def test_complaints_about_later_text_say_where_it_starts() -> None:
    read = read_isc_records(b"bogus;\n", 500, "dhcpd.leases")
    assert read.complaints
    assert all(c.startswith("dhcpd.leases (headerless text from byte 500)")
               for c in read.complaints)


def test_what_makes_dhcpd_give_up_is_an_error() -> None:
    with pytest.raises(LeaseFileError, match=r"dhcpd\.leases"):
        read_isc_records(b"lease 10.0.0.1 {\n  timestamp 5 2026/11/27 17:44:30;\n}\n", 0,
                         "dhcpd.leases")


def test_record_topics_are_the_lease_and_failover_event_topics() -> None:
    assert {"lease.Acked", "lease.Imported", "failover.StateChanged"} <= ISC_RECORD_TOPICS
    assert not any(topic.startswith(("eventsourcing", "domain")) for topic in ISC_RECORD_TOPICS)
