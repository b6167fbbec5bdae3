"""The lease table and its client indexes."""

from __future__ import annotations

import pytest

from domain.lease import BindingState, Hardware, Lease
from projections.addresses import ip_number
from projections.lease_table import RECENT_RECORDS, LeaseTable
from projections.packed_lease import pack, summary

MAC = Hardware(1, bytes.fromhex("0004acd65896"))


def test_the_last_record_of_an_address_wins_and_indexes_follow() -> None:
    table = LeaseTable()
    table.apply(Lease("10.0.0.5", binding_state=BindingState.ACTIVE, hardware=MAC, uid=b"\x01a"))
    assert [lease.ip for lease in table.by_hardware(MAC)] == ["10.0.0.5"]
    assert [lease.ip for lease in table.by_client_id(b"\x01a")] == ["10.0.0.5"]
    old = table.apply(Lease("10.0.0.5", binding_state=BindingState.FREE))
    assert old is not None and old.binding_state is BindingState.ACTIVE
    assert table.by_hardware(MAC) == []
    assert table.by_client_id(b"\x01a") == []
    assert len(table) == 1


def test_one_client_may_hold_several_records() -> None:
    table = LeaseTable()
    table.apply(Lease("10.0.0.6", binding_state=BindingState.EXPIRED, hardware=MAC))
    table.apply(Lease("10.0.0.5", binding_state=BindingState.ACTIVE, hardware=MAC))
    assert [lease.ip for lease in table.by_hardware(MAC)] == ["10.0.0.5", "10.0.0.6"]
    assert [lease.ip for lease in table.in_state(BindingState.ACTIVE)] == ["10.0.0.5"]


def test_an_empty_hardware_address_is_not_indexed() -> None:
    table = LeaseTable()
    table.apply(Lease("10.0.0.7", hardware=Hardware(1, b"")))
    assert table.by_hardware(Hardware(1, b"")) == []


def test_a_client_id_made_of_type_and_mac_is_found_by_either_index() -> None:
    table = LeaseTable()
    uid = b"\x01" + MAC.address
    table.apply(Lease("10.0.0.5", binding_state=BindingState.ACTIVE, hardware=MAC, uid=uid))
    table.apply(Lease("10.0.0.6", binding_state=BindingState.ACTIVE,
                      hardware=Hardware(6, MAC.address)))
    assert [lease.ip for lease in table.by_client_id(uid)] == ["10.0.0.5"]
    assert [lease.ip for lease in table.by_hardware(MAC)] == ["10.0.0.5"]
    assert [lease.ip for lease in table.by_hardware(Hardware(6, MAC.address))] == ["10.0.0.6"]
    table.apply(Lease("10.0.0.5", binding_state=BindingState.FREE, hardware=MAC))
    assert table.by_client_id(uid) == []
    assert [lease.ip for lease in table.by_hardware(MAC)] == ["10.0.0.5"]


def test_a_hardware_type_beyond_one_octet_is_its_own_key() -> None:
    table = LeaseTable()
    wide = Hardware(0x101, MAC.address)
    table.apply(Lease("10.0.0.5", hardware=wide))
    table.apply(Lease("10.0.0.6", hardware=Hardware(1, MAC.address)))
    assert [lease.ip for lease in table.by_hardware(wide)] == ["10.0.0.5"]
    assert [lease.ip for lease in table.by_hardware(MAC)] == ["10.0.0.6"]


def test_a_startup_load_indexes_as_applies_would_and_in_states_filters() -> None:
    records = [
        Lease("10.0.0.1", binding_state=BindingState.ACTIVE, hardware=MAC,
              uid=b"\x01" + MAC.address),
        Lease("10.0.0.2", binding_state=BindingState.EXPIRED, hardware=MAC, uid=b"c"),
        Lease("10.0.0.3", binding_state=BindingState.BACKUP, bindings=(("x", 1),)),
    ]
    applied, loaded = LeaseTable(), LeaseTable()
    for record in records:
        applied.apply(record)
    packed = {ip_number(r.ip): pack(r) for r in records}
    parts = [summary(p) for p in packed.values()]
    loaded.load(packed, [s[2] for s in parts], [s[3] for s in parts])
    assert list(loaded) == list(applied) == records
    assert loaded.by_hardware(MAC) == applied.by_hardware(MAC) == records[:2]
    assert loaded.by_client_id(b"c") == [records[1]]
    assert loaded.by_client_id(b"\x01" + MAC.address) == [records[0]]
    assert loaded.in_states([BindingState.BACKUP, BindingState.EXPIRED]) == records[1:]
    assert loaded.in_state(BindingState.ACTIVE) == [records[0]]
    with pytest.raises(ValueError):
        loaded.load(packed, [None] * 3, [None] * 3)


def test_recent_records_are_handed_out_as_kept_and_older_ones_unpacked_alike() -> None:
    table = LeaseTable()
    first = Lease("10.1.0.0", binding_state=BindingState.ACTIVE, hardware=MAC, uid=b"\x01a",
                  ends=1_800_000_000, client_hostname="pc")
    table.apply(first)
    assert table.get("10.1.0.0") is first  # no unpacking for a record just written
    assert table.by_hardware(MAC)[0] is first
    for n in range(1, RECENT_RECORDS + 1):  # push it out of the recent ones
        table.apply(Lease(f"10.1.{n // 256}.{n % 256}", binding_state=BindingState.FREE))
    again = table.get("10.1.0.0")
    assert again == first and again is not first
    assert table.get("10.1.0.0") is again  # read once, kept again
    assert table.by_client_id(b"\x01a") == [first]
    changed = first.replace(binding_state=BindingState.EXPIRED)
    assert table.apply(changed) == first
    assert table.get("10.1.0.0") is changed
    assert table.get("10.9.9.9") is None
