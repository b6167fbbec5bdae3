"""The vocabulary of the failover state machine: server states, roles, inputs, service
states, and the typed outputs the machine returns for the daemon to carry out.

Server states carry ISC's numeric codes (`enum failover_state`, includes/failover.h;
spec failover §5.2) because that is what the STATE message puts on the wire; the lease
file names them with words, which `record_state` and `from_record` translate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.lease import FailoverState, FailoverStateRecord


class ServerState(enum.IntEnum):
    """A failover server state, valued by ISC's wire code."""

    UNKNOWN_STATE = 0
    STARTUP = 1
    NORMAL = 2
    COMMUNICATIONS_INTERRUPTED = 3
    PARTNER_DOWN = 4
    POTENTIAL_CONFLICT = 5
    RECOVER = 6
    PAUSED = 7
    SHUTDOWN = 8
    RECOVER_DONE = 9
    RESOLUTION_INTERRUPTED = 10
    CONFLICT_DONE = 11
    RECOVER_WAIT = 254

    @property
    def record_state(self) -> FailoverState:
        """The word dhcpd.leases and the log lines use for this state."""
        return FailoverState[self.name]

    @classmethod
    def from_record(cls, state: FailoverState) -> ServerState:
        """The state a lease-file word names."""
        return cls[state.name]

    @classmethod
    def from_wire(cls, code: int) -> ServerState | None:
        """The state a received server-state byte names, or None for a code ISC does not
        define (ISC then shuts itself down, spec §5.2)."""
        try:
            return cls(code)
        except ValueError:
            return None


class Role(enum.StrEnum):
    """Which side of the relationship this server is (`primary;` / `secondary;`)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


class Input(enum.StrEnum):
    """What can happen to the machine.  ISC has no codes for these: the values are the
    names the transition diagram shows.  TICK (a timer may be due) and MESSAGE_RECEIVED
    (any message re-arms the receive timeout) never reach the transition table: the
    machine turns a due timer into one of the *_ELAPSED inputs or a LINK_DOWN."""

    START = "start"
    LINK_UP = "link-up"
    LINK_DOWN = "link-down"
    PEER_STATE = "peer-state"
    PEER_STATE_REPEATED = "peer-state-repeated"
    PEER_STATE_INVALID = "peer-state-invalid"
    UPDDONE = "upddone"
    RECOVER_WAIT_ELAPSED = "recover-wait-elapsed"
    AUTO_PARTNER_DOWN_ELAPSED = "auto-partner-down-elapsed"
    ADMIN_PARTNER_DOWN = "admin-partner-down"
    TICK = "tick"
    MESSAGE_RECEIVED = "message-received"


class ServiceState(enum.StrEnum):
    """What my state lets me do for DHCP clients (ISC's `service_state`, spec §6.1)."""

    COOPERATING = "cooperating"
    NOT_COOPERATING = "not-cooperating"
    PARTNER_DOWN = "partner-down"
    STARTUP = "startup"
    NOT_RESPONDING = "not-responding"


@dataclass(frozen=True, slots=True)
class SendState:
    """Send STATE: in startup, the saved state with the STARTUP flag set."""

    state: ServerState
    startup: bool
    stos: int


@dataclass(frozen=True, slots=True)
class SendUpdReq:
    """Send UPDREQ: ask the peer for the updates it has not had acknowledged."""


@dataclass(frozen=True, slots=True)
class SendUpdReqAll:
    """Send UPDREQALL: ask the peer for every binding it has."""


@dataclass(frozen=True, slots=True)
class SendQueuedUpdates:
    """Queue leases with tstp > atsfp plus the expired queue, and send them."""


@dataclass(frozen=True, slots=True)
class RescindUpdates:
    """Move un-acked BNDUPDs back to the update queue, so they are sent again."""


@dataclass(frozen=True, slots=True)
class BalancePools:
    """Run a pool balance now (entering normal; never sends POOLREQ)."""


@dataclass(frozen=True, slots=True)
class CheckPoolBalance:
    """Reschedule the pool balance check (both servers normal)."""


@dataclass(frozen=True, slots=True)
class RescheduleExpired:
    """Partner-down: every expired, released or reset lease gets tsfp = `free_at`."""

    free_at: int


@dataclass(frozen=True, slots=True)
class CloseLink:
    """Close the failover connection (the receive timeout fired)."""


@dataclass(frozen=True, slots=True)
class StateChanged:
    """Persist this record (as `domain.failover_events.StateChanged`); `cause` is the
    log line that explains it."""

    record: FailoverStateRecord
    cause: str


@dataclass(frozen=True, slots=True)
class ServiceChanged:
    """What the DHCP side may now do; `reason` is dhcpd's `not responding` suffix."""

    service: ServiceState
    reason: str


@dataclass(frozen=True, slots=True)
class LogLine:
    """One dhcpd log line, at `level` "info" or "error"."""

    level: str
    text: str


@dataclass(frozen=True, slots=True)
class Fatal:
    """dhcpd would exit here (`log_fatal`); the daemon should stop."""

    text: str


Output = (
    SendState | SendUpdReq | SendUpdReqAll | SendQueuedUpdates | RescindUpdates
    | BalancePools | CheckPoolBalance | RescheduleExpired | CloseLink | StateChanged
    | ServiceChanged | LogLine | Fatal
)
