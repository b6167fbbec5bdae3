"""What a `FailoverSession` hands out and what it learns: the actions its caller
carries out (a message to transmit, a connection to drop, a BNDUPD to store, a request
to answer) and the parameters the peer announced in CONNECT or CONNECTACK.  Kept apart
from the session's protocol rules so that callers can name them without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.failover.states import Output
from domain.failover_messages import BndAck, BndUpd, FailoverMessage


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send `message` on connection `link` (in order, after what was sent before)."""

    link: int
    message: FailoverMessage


@dataclass(frozen=True, slots=True)
class DropLink:
    """Close connection `link` once what was transmitted on it has gone out."""

    link: int


@dataclass(frozen=True, slots=True)
class BindUpdateReceived:
    """The peer sent a BNDUPD: the daemon stores it, then calls `acknowledge`."""

    link: int
    update: BndUpd


@dataclass(frozen=True, slots=True)
class BindAckReceived:
    """The peer answered one of our BNDUPDs: the daemon updates the lease (tsfp)."""

    ack: BndAck


@dataclass(frozen=True, slots=True)
class UpdatesRequested:
    """The peer sent UPDREQ (`everything` False) or UPDREQALL: the daemon queues the
    leases and answers with UPDDONE (`xid`) once the last of them is acknowledged."""

    everything: bool
    xid: int


@dataclass(frozen=True, slots=True)
class PoolRequested:
    """The peer sent POOLREQ: the daemon balances and answers POOLRESP (`xid`)."""

    xid: int


Action = (
    Transmit | DropLink | BindUpdateReceived | BindAckReceived | UpdatesRequested
    | PoolRequested | Output
)


@dataclass(slots=True)
class PeerParameters:
    """What the peer announced in CONNECT or CONNECTACK (spec §1.4)."""

    max_unacked: int = 0
    receive_timer: int = 0
    hba: bytes | None = None
