"""The lease-file records as values, and what ISC makes of a record when it loads it."""

from __future__ import annotations

import dataclasses

import pytest

from domain.lease import (
    NEVER,
    BindingState,
    ByteOrder,
    FailoverState,
    HostRecord,
    Lease,
    with_load_defaults,
)

NOW = 1_795_800_000


def test_binding_states_carry_iscs_lease_file_words_in_fts_order() -> None:
    # server/stables.c binding_state_names, FTS_FREE (1) .. FTS_BACKUP (7).
    assert [s.value for s in BindingState] == [
        "free", "active", "expired", "released", "abandoned", "reset", "backup",
    ]


def test_failover_states_are_the_words_dhcpd_prints() -> None:
    # server/failover.c dhcp_failover_state_name_print, every case.
    assert {s.value for s in FailoverState} == {
        "unknown-state", "partner-down", "normal", "conflict-done",
        "communications-interrupted", "resolution-interrupted", "potential-conflict",
        "recover", "recover-done", "recover-wait", "shutdown", "paused", "startup",
    }


def test_byte_orders_are_the_two_words_the_record_allows() -> None:
    assert {b.value for b in ByteOrder} == {"little-endian", "big-endian"}


def test_never_is_iscs_max_time() -> None:
    assert NEVER == 2**31 - 1


def test_records_are_frozen_values_without_instance_dicts() -> None:
    lease = Lease("10.0.0.1")
    with pytest.raises(AttributeError):
        lease.ip = "10.0.0.2"  # type: ignore[misc]
    assert not hasattr(lease, "__dict__")
    assert lease == Lease("10.0.0.1")
    assert hash(lease) == hash(Lease("10.0.0.1"))
    record = HostRecord("h")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "g"  # type: ignore[misc]
    assert not hasattr(record, "__dict__")


def test_a_changed_lease_is_a_new_record_and_unknown_fields_are_refused() -> None:
    lease = Lease("10.0.0.1", ends=NOW, binding_state=BindingState.ACTIVE)
    changed = lease.replace(ends=NOW + 60, client_hostname="pc")
    assert changed == Lease("10.0.0.1", ends=NOW + 60, binding_state=BindingState.ACTIVE,
                            client_hostname="pc")
    assert type(changed) is Lease
    assert lease.ends == NOW  # the original is untouched
    assert lease.replace() == lease
    with pytest.raises(TypeError, match="no field 'end'"):
        lease.replace(end=NOW)


def test_a_binding_is_found_without_regard_to_case_as_isc_finds_it() -> None:
    lease = Lease("10.0.0.1", bindings=(("ClientIP", b"10.0.0.1"), ("count", 3)))
    assert lease.binding("clientip") == b"10.0.0.1"
    assert lease.binding("COUNT") == 3
    assert lease.binding("missing") is None


def test_ddns_names_are_the_bindings_the_ddns_code_leaves() -> None:
    lease = Lease("10.0.0.1", bindings=(("DDNS-FWD-NAME", b"h.example.org"),
                                        ("ddns-rev-name", b"1.0.0.10.in-addr.arpa.")))
    assert lease.ddns_fwd_name == b"h.example.org"
    assert lease.ddns_rev_name == b"1.0.0.10.in-addr.arpa."
    assert Lease("10.0.0.1").ddns_fwd_name is None


def test_a_stated_binding_state_is_kept_at_load() -> None:
    lease = Lease("10.0.0.1", ends=NOW - 10, tstp=NOW - 5,
                  binding_state=BindingState.ACTIVE,
                  next_binding_state=BindingState.FREE)
    assert with_load_defaults(lease, NOW, failover_pool=False) is lease


def test_missing_state_of_a_running_lease_is_active_and_then_free() -> None:
    lease = Lease("10.0.0.1", ends=NOW + 60)
    loaded = with_load_defaults(lease, NOW, failover_pool=False)
    assert loaded.binding_state is BindingState.ACTIVE
    assert loaded.next_binding_state is BindingState.FREE
    assert loaded.tstp == NOW + 60


def test_missing_state_in_a_failover_pool_goes_to_expired() -> None:
    running = with_load_defaults(Lease("10.0.0.1", ends=NOW + 60), NOW, failover_pool=True)
    assert running.next_binding_state is BindingState.EXPIRED
    ended = with_load_defaults(Lease("10.0.0.1", ends=NOW), NOW, failover_pool=True)
    assert ended.binding_state is BindingState.EXPIRED
    assert ended.next_binding_state is BindingState.EXPIRED


def test_missing_state_of_an_ended_lease_is_free_and_ignores_a_written_next() -> None:
    lease = Lease("10.0.0.1", ends=NOW - 1, next_binding_state=BindingState.BACKUP,
                  rewind_binding_state=BindingState.ACTIVE)
    loaded = with_load_defaults(lease, NOW, failover_pool=False)
    assert loaded.binding_state is BindingState.FREE
    assert loaded.next_binding_state is BindingState.FREE
    assert loaded.rewind_binding_state is None


def test_an_ended_lease_with_an_on_block_is_still_active() -> None:
    lease = Lease("10.0.0.1", on_release="\n    set x = \"1\" ;\n  ")
    assert with_load_defaults(lease, NOW, failover_pool=False).binding_state is BindingState.ACTIVE


def test_a_lease_that_never_ends_is_active() -> None:
    loaded = with_load_defaults(Lease("10.0.0.1", ends=NEVER), NOW, failover_pool=False)
    assert loaded.binding_state is BindingState.ACTIVE
    assert loaded.tstp == NEVER


def test_a_lease_without_ends_gets_no_tstp() -> None:
    loaded = with_load_defaults(Lease("10.0.0.1", binding_state=BindingState.FREE), NOW,
                                failover_pool=False)
    assert loaded.tstp is None
