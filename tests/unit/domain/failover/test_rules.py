"""The pure failover rules: RFC 3074 hash, load balancing, MCLT cap, allocation,
BNDUPD acceptance and service state (spec failover §6.1, §7.2, §7.5, §7.7, §8)."""

from __future__ import annotations

import pytest

from domain.failover.rules import (
    MIX_TABLE,
    ack_potential_expiry,
    bucket_owned_by_primary,
    hba_from_split,
    load_balance_hash,
    load_balance_key,
    load_balance_mine,
    may_accept_binding_update,
    may_allocate,
    mclt_lease_time,
    peer_wants_lease,
    service_state,
)
from domain.failover.states import Role, ServerState, ServiceState
from domain.lease import NEVER, BindingState

B = BindingState
S = ServerState
NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("key", "bucket"),
    [
        ("001122334455", 135),
        ("01001122334455", 223),
        ("aabbccddeeff", 57),
        ("000102030405", 161),
        ("", 0),
    ],
)
def test_hash_matches_the_spec_test_vectors(key: str, bucket: int) -> None:
    assert load_balance_hash(bytes.fromhex(key)) == bucket


def test_the_mixing_table_is_a_permutation_and_starts_as_the_rfc_table() -> None:
    assert sorted(MIX_TABLE) == list(range(256))
    assert MIX_TABLE[:4] == bytes((251, 175, 119, 215))
    assert MIX_TABLE[-4:] == bytes((6, 169, 234, 151))


def test_hash_length_counts_modulo_256() -> None:
    # A 256-byte key starts from 0 like the empty key, then mixes each byte.
    key = bytes(256)
    expected = 0
    for _ in key:
        expected = MIX_TABLE[expected]
    assert load_balance_hash(key) == expected


def test_split_128_gives_the_primary_exactly_the_first_half_of_the_buckets() -> None:
    hba = hba_from_split(128)
    assert hba == b"\xff" * 16 + b"\x00" * 16
    owned = [bucket for bucket in range(256) if bucket_owned_by_primary(hba, bucket)]
    assert owned == list(range(128))


def test_split_halves_the_clients_between_the_servers() -> None:
    hba = hba_from_split(128)
    keys = [bytes((0, 0x11, 0x22, 0x33, 0x44, n)) for n in range(256)]
    primary = [k for k in keys if load_balance_mine(k, hba, 0, 3, Role.PRIMARY)]
    secondary = [k for k in keys if load_balance_mine(k, hba, 0, 3, Role.SECONDARY)]
    assert set(primary).isdisjoint(secondary)
    assert len(primary) + len(secondary) == 256
    assert 64 < len(primary) < 192


def test_a_client_goes_to_the_server_its_bucket_names() -> None:
    hba = hba_from_split(128)
    low = bytes.fromhex("aabbccddeeff")  # bucket 57: primary
    high = bytes.fromhex("001122334455")  # bucket 135: secondary
    assert load_balance_mine(low, hba, 0, 3, Role.PRIMARY)
    assert not load_balance_mine(low, hba, 0, 3, Role.SECONDARY)
    assert load_balance_mine(high, hba, 0, 3, Role.SECONDARY)
    assert not load_balance_mine(high, hba, 0, 3, Role.PRIMARY)


def test_load_balance_max_seconds_lets_the_other_server_answer() -> None:
    hba = hba_from_split(128)
    high = bytes.fromhex("001122334455")
    assert not load_balance_mine(high, hba, 3, 3, Role.PRIMARY)
    assert load_balance_mine(high, hba, 4, 3, Role.PRIMARY)


def test_max_seconds_zero_turns_balancing_off() -> None:
    assert load_balance_mine(bytes.fromhex("001122334455"), hba_from_split(128), 0, 0,
                             Role.PRIMARY)


def test_byte_swapped_secs_are_read_back_only_when_asked() -> None:
    hba = hba_from_split(128)
    high = bytes.fromhex("001122334455")
    assert load_balance_mine(high, hba, 0x0500, 3, Role.PRIMARY)
    assert not load_balance_mine(high, hba, 0x0200, 3, Role.PRIMARY, check_secs_byte_order=True)
    assert load_balance_mine(high, hba, 0x0500, 3, Role.PRIMARY, check_secs_byte_order=True)


def test_a_secondary_without_hba_claims_no_client() -> None:
    assert not load_balance_mine(b"\x01", None, 0, 3, Role.SECONDARY)


def test_the_client_identifier_wins_over_chaddr() -> None:
    assert load_balance_key(b"\x01abc", b"\x00\x11") == b"\x01abc"
    assert load_balance_key(None, b"\x00\x11") == b"\x00\x11"


def test_peer_wants_lease_is_the_inverse_for_stored_leases() -> None:
    hba = hba_from_split(128)
    ethernet_high = b"\x01" + bytes.fromhex("001122334455")  # bucket 135: secondary
    assert peer_wants_lease(None, ethernet_high, hba, Role.PRIMARY)
    assert not peer_wants_lease(None, ethernet_high, hba, Role.SECONDARY)
    assert peer_wants_lease(bytes.fromhex("aabbccddeeff"), ethernet_high, hba, Role.SECONDARY)
    assert not peer_wants_lease(None, None, hba, Role.PRIMARY)
    assert not peer_wants_lease(None, ethernet_high, None, Role.PRIMARY)


def test_mclt_cap_follows_the_spec_example() -> None:
    mclt, desired, t0 = 3600, 43200, NOW
    first = mclt_lease_time(desired, mclt, tsfp=0, now=t0)
    assert first == 3600
    tstp = ack_potential_expiry(desired, first, t0)
    assert tstp == t0 + 45000
    assert mclt_lease_time(desired, mclt, tsfp=tstp, now=t0 + 1800) == 43200


def test_mclt_cap_short_leases_and_the_tsfp_bound() -> None:
    assert mclt_lease_time(600, 3600, tsfp=0, now=NOW) == 600
    assert mclt_lease_time(43200, 3600, tsfp=NOW + 100, now=NOW) == 3700


def test_infinite_lease_potential_expiry_is_never_and_huge_ones_stop_before_it() -> None:
    assert ack_potential_expiry(None, 3600, NOW) == NEVER
    assert ack_potential_expiry(0xFFFFFFFF - NOW - 1800, 3600, NOW) == NEVER - 1
    assert ack_potential_expiry(0xFFFFFFFF - NOW - 1801, 3600, NOW) == 0xFFFFFFFE


MINE = {"stos": NOW - 10_000, "tsfp": NOW - 10_000, "mclt": 3600, "now": NOW}


@pytest.mark.parametrize(
    ("state", "role", "service", "rewind", "allowed"),
    [
        (B.ACTIVE, Role.PRIMARY, ServiceState.PARTNER_DOWN, None, False),
        (B.FREE, Role.PRIMARY, ServiceState.COOPERATING, None, True),
        (B.ABANDONED, Role.PRIMARY, ServiceState.COOPERATING, None, True),
        (B.FREE, Role.SECONDARY, ServiceState.COOPERATING, None, False),
        (B.FREE, Role.SECONDARY, ServiceState.PARTNER_DOWN, None, True),
        (B.BACKUP, Role.SECONDARY, ServiceState.NOT_COOPERATING, None, True),
        (B.BACKUP, Role.PRIMARY, ServiceState.NOT_COOPERATING, None, False),
        (B.BACKUP, Role.PRIMARY, ServiceState.PARTNER_DOWN, None, True),
        (B.EXPIRED, Role.PRIMARY, ServiceState.NOT_COOPERATING, B.FREE, True),
        (B.RELEASED, Role.SECONDARY, ServiceState.NOT_COOPERATING, B.BACKUP, True),
        (B.EXPIRED, Role.SECONDARY, ServiceState.NOT_COOPERATING, B.FREE, False),
        (B.EXPIRED, Role.SECONDARY, ServiceState.PARTNER_DOWN, B.FREE, True),
        (B.RESET, Role.PRIMARY, ServiceState.COOPERATING, B.FREE, False),
        (B.RESET, Role.PRIMARY, ServiceState.PARTNER_DOWN, B.FREE, True),
    ],
)
def test_which_server_may_allocate_which_lease(
    state: B, role: Role, service: ServiceState, rewind: B | None, allowed: bool
) -> None:
    assert may_allocate(state, role, service, rewind_state=rewind, **MINE) is allowed


def test_partner_down_waits_for_the_later_of_stos_and_tsfp_plus_mclt() -> None:
    def allowed(stos: int, tsfp: int) -> bool:
        return may_allocate(B.FREE, Role.SECONDARY, ServiceState.PARTNER_DOWN,
                            stos=stos, tsfp=tsfp, mclt=3600, rewind_state=None, now=NOW)

    assert not allowed(stos=NOW - 3600, tsfp=0)
    assert allowed(stos=NOW - 3601, tsfp=0)
    assert not allowed(stos=NOW - 9000, tsfp=NOW - 100)
    assert not may_allocate(B.RESET, Role.PRIMARY, ServiceState.PARTNER_DOWN, stos=0,
                            tsfp=NOW + 1, mclt=0, rewind_state=None, now=NOW)


def accept(local: B, incoming: B, role: Role = Role.PRIMARY, state: S = S.NORMAL,
           ends: int = NOW + 1000, pot: int = 0) -> bool:
    return may_accept_binding_update(local, incoming, role, state, ends=ends,
                                     potential_expiry=pot, now=NOW)


def test_bndupd_acceptance_in_normal() -> None:
    assert all(accept(B.FREE, new) for new in B)
    assert all(accept(B.RELEASED, new) and accept(B.BACKUP, new) for new in B)
    assert accept(B.ACTIVE, B.RELEASED) and accept(B.ACTIVE, B.ACTIVE)
    assert not accept(B.ACTIVE, B.EXPIRED, ends=NOW - 100)
    assert not accept(B.ACTIVE, B.FREE)
    secondary = Role.SECONDARY
    assert accept(B.ACTIVE, B.FREE, secondary, pot=NOW)
    assert not accept(B.ACTIVE, B.FREE, secondary, pot=NOW + 1)
    assert accept(B.ACTIVE, B.EXPIRED, secondary, ends=NOW + 65)
    assert not accept(B.ACTIVE, B.EXPIRED, secondary, ends=NOW + 66)
    assert accept(B.ACTIVE, B.RESET, secondary)
    assert not accept(B.EXPIRED, B.BACKUP, pot=NOW + 1)
    assert accept(B.RESET, B.FREE, pot=NOW)
    assert accept(B.EXPIRED, B.ACTIVE, pot=NOW + 1)


def test_bndupd_acceptance_outside_normal_protects_active_leases() -> None:
    pc = S.COMMUNICATIONS_INTERRUPTED
    assert all(accept(B.EXPIRED, new, state=pc) for new in B)
    assert not accept(B.ACTIVE, B.FREE, state=pc, pot=0)
    assert not accept(B.ACTIVE, B.BACKUP, state=pc, pot=0)
    assert accept(B.ACTIVE, B.EXPIRED, state=pc, ends=NOW + 65)
    assert not accept(B.ACTIVE, B.EXPIRED, state=pc, ends=NOW + 66)
    assert all(accept(B.ACTIVE, new, state=pc)
               for new in (B.RELEASED, B.RESET, B.ABANDONED, B.ACTIVE))


@pytest.mark.parametrize(
    ("mine", "partner", "service", "reason"),
    [
        (S.NORMAL, S.NORMAL, ServiceState.COOPERATING, ""),
        (S.COMMUNICATIONS_INTERRUPTED, S.UNKNOWN_STATE, ServiceState.NOT_COOPERATING, ""),
        (S.PARTNER_DOWN, S.RECOVER, ServiceState.PARTNER_DOWN, ""),
        (S.STARTUP, S.NORMAL, ServiceState.STARTUP, " (startup)"),
        (S.RECOVER, S.NORMAL, ServiceState.NOT_RESPONDING, " (recovering)"),
        (S.RECOVER_WAIT, S.NORMAL, ServiceState.NOT_RESPONDING, " (recover wait)"),
        (S.RECOVER_DONE, S.NORMAL, ServiceState.NOT_RESPONDING, " (recover done)"),
        (S.CONFLICT_DONE, S.NORMAL, ServiceState.NOT_RESPONDING, " (resolving conflicts)"),
        (S.SHUTDOWN, S.NORMAL, ServiceState.NOT_RESPONDING, " (shut down)"),
        (S.PAUSED, S.NORMAL, ServiceState.NOT_RESPONDING, " (paused)"),
        (S.UNKNOWN_STATE, S.NORMAL, ServiceState.NOT_RESPONDING, " (my state unknown)"),
        (S.NORMAL, S.PARTNER_DOWN, ServiceState.NOT_RESPONDING, " (peer demands: recovering)"),
        (S.STARTUP, S.PARTNER_DOWN, ServiceState.NOT_RESPONDING,
         " (peer demands: recovering)"),
        (S.COMMUNICATIONS_INTERRUPTED, S.RESOLUTION_INTERRUPTED, ServiceState.NOT_RESPONDING,
         " (peer demands: resolving conflicts)"),
    ],
)
def test_service_state(mine: S, partner: S, service: ServiceState, reason: str) -> None:
    assert service_state(mine, partner) == (service, reason)
