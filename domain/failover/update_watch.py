"""Whether updates flow between the peers: the update we asked the peer for
(UPDREQ/UPDREQALL) that stops coming, and windows an ISC peer would crawl with.

A recovering server waits for the peer's BNDUPDs and then its UPDDONE before it
serves again.  An ISC dhcpd peer that lost a connection while it was sending them,
and stayed in partner-down through the loss, keeps the updates that were in flight on
its ack queue: its window stays full, it sends nothing more and never UPDDONE, while
CONTACTs keep the link up (see domain/failover/session.py `connection_lost`, which
spares our own peers that).  Nothing this side can send unsticks it, so the watch
says so once, in the log, when no BNDUPD came for twice the max-response-delay
(20 seconds at least): the admin who sees a server stuck in recover then knows what
to restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.failover.states import LogLine

MIN_STALL_SECONDS = 20


@dataclass(slots=True)
class UpdateWatch:
    """The time of the last sign of progress of an update we asked for, if any."""

    peer: str
    stall_seconds: int
    _last: int | None = None
    _warned: bool = False

    @classmethod
    def for_peer(cls, peer: str, max_response_delay: int) -> UpdateWatch:
        return cls(peer, max(2 * max_response_delay, MIN_STALL_SECONDS))

    def requested(self, now: int) -> None:
        """We sent UPDREQ or UPDREQALL."""
        self._last, self._warned = now, False

    def progress(self, now: int) -> None:
        """A BNDUPD arrived."""
        if self._last is not None:
            self._last = now

    def ended(self) -> None:
        """UPDDONE arrived, or the link went (a new request follows a new link)."""
        self._last, self._warned = None, False

    def deadline(self) -> int | None:
        if self._last is None or self._warned:
            return None
        return self._last + self.stall_seconds

    def due(self, now: int) -> list[LogLine]:
        """The line, once, when the update has stalled at `now`."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        self._warned = True
        return [LogLine(
            "error",
            f"failover peer {self.peer}: no binding update from the peer for"
            f" {self.stall_seconds} seconds while waiting for the update requested;"
            " a peer that lost a connection while sending one may be stuck (ISC dhcpd"
            " in partner-down keeps the updates that were in flight unacknowledged and"
            " sends no more): restart the peer")]


def ack_window_warning(peer: str, ours: int, theirs: int,
                       vendor_class: bytes | None) -> list[LogLine]:
    """The line for an ISC dhcpd peer whose max-unacked-updates (`theirs`: how many
    BNDUPDs we may have in flight to it) is under half of ours.  ISC acknowledges a
    peer's updates once half of *the peer's* max-unacked-updates are pending, or after
    2 seconds (server/failover.c `dhcp_failover_queue_ack`): we never reach that
    half, so each window of ours waits 2 seconds, a handful of leases a second (seen
    in the lab with two ISC servers as with us).  The same value on both servers
    avoids it; our own acknowledgements do not wait."""
    if vendor_class is None or not vendor_class.startswith(b"isc-") or 2 * theirs >= ours:
        return []
    return [LogLine(
        "error",
        f"failover peer {peer}: its max-unacked-updates ({theirs}) is under half of ours"
        f" ({ours}): ISC dhcpd acknowledges our updates only when {ours // 2} are pending"
        " or after 2 seconds, so they will crawl; give both servers the same"
        " max-unacked-updates")]
