"""The peer backlog: updates the failover peer has not acknowledged."""

from __future__ import annotations

from domain.lease import BindingState, Lease
from projections.peer_backlog import PeerBacklog, owes_peer


def test_tstp_after_tsfp_is_owed() -> None:
    assert owes_peer(Lease("10.0.0.1", tstp=200, tsfp=100))
    assert owes_peer(Lease("10.0.0.1", tstp=200))
    assert not owes_peer(Lease("10.0.0.1", tstp=200, tsfp=200))
    assert not owes_peer(Lease("10.0.0.1"))


def test_backlog_is_per_relationship_and_cleared_by_the_ack() -> None:
    backlog = PeerBacklog()
    sent = Lease("10.0.0.1", tstp=200, binding_state=BindingState.ACTIVE)
    backlog.apply(sent, "fo")
    backlog.apply(Lease("10.1.0.1", tstp=200), None)  # not a failover pool
    assert backlog.pending("fo") == {"10.0.0.1"}
    backlog.apply(Lease("10.0.0.1", tstp=200, tsfp=200), "fo")
    assert backlog.count("fo") == 0
