"""Which leases the failover peer still has to be told about, and which it has not
acknowledged: ISC's update queue and ack queue of one relationship, by address.

ISC dhcpd 4.4 (server/failover.c; spec failover §7.3, §7.6) keeps two linked lists:
leases waiting to be sent as BNDUPD (`update_queue`) and leases sent but not yet
BNDACKed (`ack_queue`, bounded by the peer's max-unacked-updates).  Re-queueing a lease
takes it off the ack queue, so a late BNDACK for the older update is ignored.  An
UPDREQ or UPDREQALL marks the last queued lease: when it is acknowledged, UPDDONE
goes out with the request's xid.  The queue holds addresses, never lease records: the
BNDUPD always carries the lease as it is when it is sent.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class AckOutcome(enum.Enum):
    """What a BNDACK for an address means to the queue."""

    ACCEPTED = "accepted"  # the outstanding update was acknowledged
    NOT_OUTSTANDING = "not-outstanding"  # nothing sent for it: ISC ignores it silently
    XID_MISMATCH = "xid-mismatch"  # ISC logs it and keeps the lease on the ack queue


@dataclass(frozen=True, slots=True)
class AckResult:
    outcome: AckOutcome
    update_done_xid: int | None = None  # send UPDDONE with this xid now


@dataclass(slots=True)
class UpdateQueue:
    """The addresses to send (in order) and those sent and awaiting a BNDACK."""

    pending: dict[str, None] = field(default_factory=dict)
    unacked: dict[str, int] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    _done_after: str | None = None
    _done_xid: int | None = None

    def queue(self, ip: str) -> None:
        """A lease changed (or the peer asked for it): send its current record.  An
        address already waiting keeps its place; one awaiting an ack is sent again."""
        if ip in self.pending:
            return
        self.unacked.pop(ip, None)
        self.pending[ip] = None

    def hold(self, ip: str) -> None:
        """A change to `ip` is being written: queue it, but send nothing for it until
        `release` (a BNDUPD never tells the peer of what is not yet on our disk)."""
        self.queue(ip)
        self.held.add(ip)

    def release(self, ip: str) -> None:
        """The held change is durable: the address may go out again."""
        self.held.discard(ip)

    def queue_all(self, ips: Iterable[str]) -> None:
        """Queue what a request or a state change asks for; an address already on
        either queue is left where it is (ISC's `dhcp_failover_generate_update_queue`
        skips leases flagged ON_QUEUE)."""
        for ip in ips:
            if ip not in self.pending and ip not in self.unacked:
                self.pending[ip] = None

    def answer_request(self, xid: int) -> bool:
        """An UPDREQ/UPDREQALL (with `xid`) has been queued: UPDDONE follows the ack of
        the last address now waiting.  False when nothing waits, and then UPDDONE is
        due at once (the caller sends it)."""
        last = next(reversed(self.pending), None)
        if last is None:
            self._done_after = self._done_xid = None
            return False
        self._done_after, self._done_xid = last, xid
        return True

    def take(self, peer_max_unacked: int) -> list[str]:
        """The addresses to send now, oldest first, without exceeding the peer's
        max-unacked-updates; the caller sends each and reports it with `sent`."""
        room = max(peer_max_unacked, 1) - len(self.unacked)
        taken: list[str] = []
        for ip in self.pending:
            if room <= 0:
                break
            if ip not in self.held:
                taken.append(ip)
                room -= 1
        for ip in taken:
            del self.pending[ip]
        return taken

    def sent(self, ip: str, xid: int) -> None:
        self.unacked[ip] = xid

    def acknowledged(self, ip: str, xid: int, *, rejected: bool = False) -> AckResult:
        """A BNDACK for `ip` with `xid` arrived.  A rejecting one takes the address off
        the ack queue whatever its xid (ISC logs the reason and goes on); one for an
        address with nothing outstanding changes nothing.  Either way, if it answers
        the last update of an UPDREQ/UPDREQALL, UPDDONE is due (ISC checks that after
        taking any BNDACK that is not an xid mismatch — even a late one for an update
        the peer's own BNDUPD overrode)."""
        outstanding = self.unacked.get(ip)
        if not rejected and outstanding is not None and outstanding != xid:
            return AckResult(AckOutcome.XID_MISMATCH)
        outcome = AckOutcome.ACCEPTED
        if not rejected and outstanding is None:
            outcome = AckOutcome.NOT_OUTSTANDING
        self.unacked.pop(ip, None)
        done_xid = None
        if ip == self._done_after:
            done_xid, self._done_after, self._done_xid = self._done_xid, None, None
        return AckResult(outcome, done_xid)

    def rescind(self) -> None:
        """The link went down: every unacked update goes back to the head of the queue,
        to be sent again on the next connection (ISC `dhcp_failover_rescind_updates`)."""
        again = dict.fromkeys(self.unacked)
        again.update((ip, None) for ip in self.pending if ip not in again)
        self.pending = again
        self.unacked.clear()

    def __len__(self) -> int:
        """Updates not yet acknowledged: waiting plus in flight."""
        return len(self.pending) + len(self.unacked)
