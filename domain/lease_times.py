"""How long a lease lasts: dhcpd 4.4's arithmetic in `ack_lease`, as pure functions.

The client may ask for a time (option 51); the configuration bounds it with
default-, max- and min-lease-time, shortens it when a pool is nearly full
(adaptive-lease-time-threshold) or about to close (`deny after`), and refuses it before
a pool opens (`allow after`).  BOOTP leases are infinite unless
dynamic-bootp-lease-length/-cutoff say otherwise.  Renewal and rebinding times (58/59)
are never invented — dhcpd only drops configured ones that make no sense.
In a failover pool the time is then capped by the MCLT rule (`capped_by_mclt`).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.config.parameters import DEFAULT_MIN_LEASE_TIME, ServerParameters
from domain.dhcp_decision import LogLine, info
from domain.failover.rules import ack_potential_expiry, mclt_lease_time
from domain.lease import NEVER

INFINITE_TIME = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class PoolState:
    """What the lease-time rules need to know about the lease's pool: how full it is
    (`used` of `total` addresses not free or backup) and its `after` window."""

    total: int
    used: int
    valid_from: int | None = None
    valid_until: int | None = None


@dataclass(frozen=True, slots=True)
class LeaseTime:
    """The outcome for a DHCP lease: `expiry` is dhcpd's offered_expiry (the `ends` of
    an ACK); `refused` means the pool's `after` window forbids the lease (NAK)."""

    seconds: int = 0
    expiry: int = 0
    reserved: bool = False
    refused: bool = False
    log: tuple[LogLine, ...] = ()


def _expiry(now: int, seconds: int) -> int:
    """dhcpd's `leaseTimeCheck`: an expiry that would wrap becomes MAX_TIME - 1."""
    if seconds == INFINITE_TIME:
        return NEVER
    expiry = now + seconds
    if expiry >= INFINITE_TIME or expiry < now:
        return NEVER - 1
    return expiry


def _requested(option_51: bytes | None) -> int | None:
    return int.from_bytes(option_51, "big") if option_51 and len(option_51) == 4 else None


def dhcp_lease_time(
    params: ServerParameters,
    *,
    address: str,
    requested: bytes | None,
    now: int,
    current_ends: int | None,
    pool: PoolState | None,
) -> LeaseTime:
    """The lease time dhcpd grants a DHCP client for `address` (OFFER and ACK).

    `requested` is the client's option 51 payload; `current_ends` the `ends` of the
    lease record as it stands (adaptive-lease-time never cuts below the time left)."""
    log: list[LogLine] = []
    asked = _requested(requested)
    reserved = False
    if asked is not None:
        if asked == INFINITE_TIME and params.infinite_is_reserved:
            reserved = True
            log.append(info(f"Infinite-leasetime reservation made on {address}."))
        seconds = asked
    else:
        seconds = params.default_lease_time
    maximum = params.max_lease_time
    if seconds > maximum:
        seconds = maximum
    minimum = params.effective_min_lease_time
    threshold = params.adaptive_lease_time_threshold
    if pool is not None and threshold is not None and 0 < threshold < 100 and pool.total:
        adaptive = minimum or DEFAULT_MIN_LEASE_TIME
        adaptive = max(adaptive, (current_ends or 0) - now)
        filled = pool.used * 100 // pool.total
        if filled >= threshold and seconds > adaptive:
            log.append(
                info(f"Pool over threshold, time for {address} reduced from {seconds} to"
                     f" {adaptive}.")
            )
            seconds = adaptive
    if pool is not None and pool.valid_from is not None and now < pool.valid_from:
        return LeaseTime(refused=True, log=tuple(log))
    if pool is not None and pool.valid_until is not None:
        if now >= pool.valid_until:
            return LeaseTime(refused=True, log=tuple(log))
        seconds = min(seconds, pool.valid_until - now)
    seconds = max(seconds, minimum)
    return LeaseTime(
        seconds=seconds, expiry=_expiry(now, seconds), reserved=reserved, log=tuple(log)
    )


@dataclass(frozen=True, slots=True)
class FailoverTime:
    """A DHCP lease time after the failover cap: `granted` replaces the configured
    time, `potential_expiry` is the tstp an ACK tells the peer."""

    granted: LeaseTime
    potential_expiry: int


def capped_by_mclt(time: LeaseTime, *, mclt: int, tsfp: int, now: int) -> FailoverTime:
    """The lease time a failover server may grant (`ack_lease`, spec failover §7.2):
    no more than the peer could take over after tsfp + MCLT.  The tstp is computed
    from the time the configuration wanted, so the client's renewal can get it."""
    granted = mclt_lease_time(time.seconds, mclt, tsfp, now)
    desired = None if time.seconds == INFINITE_TIME else time.seconds
    return FailoverTime(
        granted=LeaseTime(
            seconds=granted, expiry=_expiry(now, granted), reserved=time.reserved,
            log=time.log,
        ),
        potential_expiry=ack_potential_expiry(desired, granted, now),
    )


def bootp_lease_ends(params: ServerParameters, now: int) -> int:
    """When a dynamic BOOTP lease ends: never, unless dynamic-bootp-lease-length (a
    duration) or dynamic-bootp-lease-cutoff (a moment; it wins) is configured."""
    seconds = NEVER - now
    if params.dynamic_bootp_lease_length is not None:
        seconds = params.dynamic_bootp_lease_length
    if params.dynamic_bootp_lease_cutoff is not None:
        seconds = params.dynamic_bootp_lease_cutoff - now
    return now + seconds


def valid_renewal_times(
    offered_seconds: int, rebinding: bytes | None, renewal: bytes | None
) -> tuple[bool, bool]:
    """Which configured T2 (59) and T1 (58) dhcpd keeps, as (keep 59, keep 58).

    T2 must be shorter than the lease, and T1 shorter than T2 (or the lease when T2 is
    absent or dropped).  Values of the wrong width count as zero, as dhcpd reads them."""
    limit = offered_seconds
    keep_rebinding = False
    if rebinding is not None:
        rebind = int.from_bytes(rebinding, "big") if len(rebinding) == 4 else 0
        keep_rebinding = rebind < limit
        if keep_rebinding:
            limit = rebind
    keep_renewal = False
    if renewal is not None:
        renew = int.from_bytes(renewal, "big") if len(renewal) == 4 else 0
        keep_renewal = renew < limit
    return keep_rebinding, keep_renewal
