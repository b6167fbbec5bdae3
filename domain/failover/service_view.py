"""What one failover relationship lets the DHCP core do right now.

The DHCP core must not reach into the state machine: the daemon hands `decide()` and
the lease timer one `FailoverService` per relationship (keyed by peer name), rebuilt
whenever the machine reports a `ServiceChanged` or the link learns the peer's HBA.  It
holds exactly the facts ISC's DHCP code reads from `dhcp_failover_state_t`
(server/dhcp.c, server/mdb.c; spec failover §6.1, §7.2, §7.7, §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.config.declarations import PoolConfig
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import DhcpConfig
from domain.failover.states import Role, ServerState, ServiceState
from domain.lease import BindingState

STATE_UNKNOWN_REASON = " (my state unknown)"


@dataclass(frozen=True, slots=True)
class FailoverService:
    """One relationship as the DHCP side sees it.

    `reason` is dhcpd's `not responding` suffix (" (startup)", …); `hba` is the bucket
    map load balancing uses (the primary's own, the secondary's from CONNECT; None
    until then, and then no client hashes to the secondary); `stos` is when my state
    began, which the partner-down MCLT rules count from."""

    peer: str
    role: Role
    my_state: ServerState
    partner_state: ServerState
    service: ServiceState
    reason: str
    mclt: int
    hba: bytes | None
    load_balance_max_seconds: int
    stos: int

    @classmethod
    def state_unknown(cls, name: str, peer: FailoverPeerConfig | None) -> FailoverService:
        """A relationship the daemon gave no service for: dhcpd's `unknown-state`,
        which answers no client (" (my state unknown)") and changes no lease on a
        timer beyond what every state allows."""
        role = Role(peer.role) if peer is not None else Role.PRIMARY
        return cls(
            peer=name, role=role, my_state=ServerState.UNKNOWN_STATE,
            partner_state=ServerState.UNKNOWN_STATE, service=ServiceState.NOT_RESPONDING,
            reason=STATE_UNKNOWN_REASON, mclt=(peer.mclt or 0) if peer is not None else 0,
            hba=peer.hba if peer is not None and role is Role.PRIMARY else None,
            load_balance_max_seconds=peer.load_balance_max_seconds if peer else 0, stos=0,
        )

    @property
    def own_free_state(self) -> BindingState:
        """The binding state of the addresses this server may hand out: FREE on the
        primary, BACKUP on the secondary (ISC's `lease_mine_to_reallocate`)."""
        return BindingState.FREE if self.role is Role.PRIMARY else BindingState.BACKUP

    @property
    def answers_clients(self) -> bool:
        """dhcpd drops DISCOVER, REQUEST and BOOTP (and ignores RELEASE and DECLINE)
        while not responding and also in startup (`service_startup`, §6.1)."""
        return self.service not in (ServiceState.NOT_RESPONDING, ServiceState.STARTUP)

    @property
    def partner_down(self) -> bool:
        """My own state is partner-down: the lease timer then frees expired, released
        and reset leases (`pool_timer` reads `me.state`, not the service state)."""
        return self.my_state is ServerState.PARTNER_DOWN


FailoverServices = dict[str, FailoverService]


def service_for_pool(
    pool: PoolConfig | None,
    failover: Mapping[str, FailoverService] | None,
    config: DhcpConfig,
) -> FailoverService | None:
    """The relationship that governs a pool's leases, or None when the failover rules
    do not apply: the pool has no peer, or the caller passed no mapping at all (then
    every pool is served as dhcpd serves pools without a peer).  A peer missing from
    the mapping is in unknown state."""
    if failover is None or pool is None or pool.failover_peer is None:
        return None
    service = failover.get(pool.failover_peer)
    if service is None:
        return FailoverService.state_unknown(
            pool.failover_peer, config.failover_peer(pool.failover_peer)
        )
    return service
