"""Lease-time arithmetic: dhcpd's bounds, adaptive threshold, pool windows and BOOTP."""

from __future__ import annotations

import pytest

from domain.config.parameters import ServerParameters
from domain.lease import NEVER
from domain.lease_times import (
    INFINITE_TIME,
    PoolState,
    bootp_lease_ends,
    capped_by_mclt,
    dhcp_lease_time,
    valid_renewal_times,
)

NOW = 1_800_000_000


def grant(params: ServerParameters, requested: int | None = None, **kwargs: object):
    raw = requested.to_bytes(4, "big") if requested is not None else None
    fields = {"current_ends": None, "pool": None} | kwargs
    return dhcp_lease_time(params, address="10.0.0.5", requested=raw, now=NOW, **fields)  # type: ignore[arg-type]


def test_default_applies_when_the_client_asks_nothing() -> None:
    result = grant(ServerParameters(default_lease_time=600))
    assert (result.seconds, result.expiry) == (600, NOW + 600)


def test_a_request_is_capped_by_max_and_raised_to_min() -> None:
    params = ServerParameters(max_lease_time=7200)
    assert grant(params, 90000).seconds == 7200
    assert grant(params, 10).seconds == 300  # the built-in minimum


def test_the_builtin_minimum_never_exceeds_max() -> None:
    assert grant(ServerParameters(max_lease_time=120), 10).seconds == 120


def test_a_configured_minimum_wins_even_above_max() -> None:
    assert grant(ServerParameters(max_lease_time=100, min_lease_time=200), 10).seconds == 200


def test_zero_minimum_lets_a_zero_request_through() -> None:
    # dhcpd only raises times below the minimum; with min-lease-time 0 nothing is.
    params = ServerParameters(min_lease_time=0, default_lease_time=900)
    assert grant(params, 0).seconds == 0
    assert grant(params, 5).seconds == 5


def test_infinite_request_can_reserve_the_lease() -> None:
    params = ServerParameters(infinite_is_reserved=True)
    result = grant(params, INFINITE_TIME)
    assert result.reserved
    assert [line.text for line in result.log] == [
        "Infinite-leasetime reservation made on 10.0.0.5."
    ]
    assert result.seconds == 86400


def test_infinite_max_gives_a_lease_that_never_ends() -> None:
    result = grant(ServerParameters(max_lease_time=INFINITE_TIME), INFINITE_TIME)
    assert result.expiry == NEVER


def test_an_expiry_past_the_32_bit_range_becomes_max_time() -> None:
    result = grant(ServerParameters(max_lease_time=INFINITE_TIME), INFINITE_TIME - 1)
    assert result.expiry == NEVER - 1


def test_adaptive_threshold_shortens_leases_in_a_full_pool() -> None:
    params = ServerParameters(adaptive_lease_time_threshold=50, max_lease_time=7200)
    full = PoolState(total=10, used=6)
    result = grant(params, 3600, pool=full)
    assert result.seconds == 300
    assert result.log[0].text == "Pool over threshold, time for 10.0.0.5 reduced from 3600 to 300."
    assert grant(params, 3600, pool=PoolState(total=10, used=4)).seconds == 3600


def test_adaptive_threshold_keeps_the_time_a_lease_has_left() -> None:
    params = ServerParameters(adaptive_lease_time_threshold=50)
    result = grant(params, 3600, pool=PoolState(total=10, used=9), current_ends=NOW + 1000)
    assert result.seconds == 1000


def test_pool_windows_refuse_before_and_after_and_cap_in_between() -> None:
    params = ServerParameters(default_lease_time=3600, min_lease_time=60)
    assert grant(params, pool=PoolState(10, 0, valid_from=NOW + 1)).refused
    assert grant(params, pool=PoolState(10, 0, valid_until=NOW)).refused
    assert grant(params, pool=PoolState(10, 0, valid_until=NOW + 100)).seconds == 100
    assert grant(params, pool=PoolState(10, 0, valid_until=NOW + 10)).seconds == 60


def test_bootp_leases_are_infinite_unless_configured() -> None:
    assert bootp_lease_ends(ServerParameters(), NOW) == NEVER
    assert bootp_lease_ends(ServerParameters(dynamic_bootp_lease_length=3600), NOW) == NOW + 3600
    both = ServerParameters(dynamic_bootp_lease_length=3600, dynamic_bootp_lease_cutoff=NOW + 50)
    assert bootp_lease_ends(both, NOW) == NOW + 50


def test_configured_renewal_times_survive_only_when_consistent() -> None:
    def u32(value: int) -> bytes:
        return value.to_bytes(4, "big")

    assert valid_renewal_times(600, u32(500), u32(300)) == (True, True)
    assert valid_renewal_times(600, u32(600), u32(300)) == (False, True)
    assert valid_renewal_times(600, u32(200), u32(300)) == (True, False)
    assert valid_renewal_times(600, None, u32(700)) == (False, False)


MCLT_CASES = [
    # desired, tsfp, granted, tstp
    (300, 0, 300, NOW + 300 + 150),  # within the MCLT: granted as asked
    (3600, 0, 600, NOW + 3600 + 300),  # nothing acknowledged: the MCLT
    (3600, NOW + 1000, 1600, NOW + 3600 + 800),  # up to tsfp + MCLT
    (3600, NOW + 5000, 3600, NOW + 3600 + 1800),
    (INFINITE_TIME, NOW + 5000, 5600, NEVER),  # infinite: tstp never
]


@pytest.mark.parametrize(("desired", "tsfp", "granted", "tstp"), MCLT_CASES)
def test_the_failover_cap_grants_up_to_tsfp_plus_mclt(
    desired: int, tsfp: int, granted: int, tstp: int,
) -> None:
    wanted = dhcp_lease_time(
        ServerParameters(default_lease_time=desired, max_lease_time=INFINITE_TIME),
        address="10.0.0.1", requested=None, now=NOW, current_ends=None, pool=None,
    )
    capped = capped_by_mclt(wanted, mclt=600, tsfp=tsfp, now=NOW)
    assert (capped.granted.seconds, capped.granted.expiry) == (granted, NOW + granted)
    assert capped.potential_expiry == tstp
