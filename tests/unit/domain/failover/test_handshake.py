"""The handshake checks on their own: each fault refused with ISC's reason and text, and
several faults at once refused for the one ISC checks first (server/failover.c).  What
the session does with the verdicts is in test_session.py."""

from __future__ import annotations

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.handshake import (
    MAX_CLOCK_SKEW_SECONDS,
    VENDOR_CLASS,
    connect_ack_refusal,
    connect_answer,
    connect_conflict,
    connect_refusal,
)
from domain.failover_messages import HBA_SIZE, PROTOCOL_VERSION, Connect, ConnectAck, RejectReason

T0 = 1_800_000_000
HBA = b"\xff" * 16 + b"\x00" * 16


def config() -> FailoverPeerConfig:
    return FailoverPeerConfig(
        name="fo", role="secondary", address="10.0.0.12", peer_address="10.0.0.10",
        max_response_delay=15, max_unacked_updates=12, referring_pools=(1,),
    )


def connect(**changes: object) -> Connect:
    fields: dict[str, object] = {"time": T0, "xid": 7, "relationship_name": b"fo",
                                 "max_unacked": 10, "receive_timer": 10, "mclt": 30,
                                 "hba": HBA}
    fields.update(changes)
    return Connect(**fields)  # type: ignore[arg-type]


def connect_ack(**changes: object) -> ConnectAck:
    fields: dict[str, object] = {"time": T0, "xid": 0, "relationship_name": b"fo"}
    fields.update(changes)
    return ConnectAck(**fields)  # type: ignore[arg-type]


def test_a_sound_connect_passes_both_checks() -> None:
    assert connect_refusal(connect(), "fo", T0) is None
    assert connect_conflict(connect(), connected=False) is None


def test_each_fault_of_a_connect_is_refused_with_iscs_reason_and_text() -> None:
    cases = [
        (connect(relationship_name=None),
         (RejectReason.INVALID_PARTNER, "missing relationship-name")),
        (connect(relationship_name=b"other"),
         (RejectReason.INVALID_PARTNER, "unknown failover relationship name")),
        (connect(time=T0 - MAX_CLOCK_SKEW_SECONDS - 1),
         (RejectReason.TIMEMISMATCH, "time offset too large")),
        (connect(hba=None), (RejectReason.HBA_CONFLICT, "invalid HBA")),
        (connect(hba=HBA[: HBA_SIZE - 1]), (RejectReason.HBA_CONFLICT, "invalid HBA")),
    ]
    for message, expected in cases:
        assert connect_refusal(message, "fo", T0) == expected
    # A minute off is still accepted, as in ISC.
    assert connect_refusal(connect(time=T0 + MAX_CLOCK_SKEW_SECONDS), "fo", T0) is None


def test_a_connect_with_several_faults_is_refused_for_the_first_isc_checks() -> None:
    everything_wrong = connect(relationship_name=b"other", time=T0 - 3600, hba=None)
    assert connect_refusal(everything_wrong, "fo", T0) == (
        RejectReason.INVALID_PARTNER, "unknown failover relationship name")
    late_and_short = connect(time=T0 + 3600, hba=b"")
    assert connect_refusal(late_and_short, "fo", T0) == (
        RejectReason.TIMEMISMATCH, "time offset too large")


def test_a_second_connect_or_one_without_mclt_is_a_conflict_the_first_named_first() -> None:
    assert connect_conflict(connect(), connected=True) == (
        RejectReason.DUP_CONNECTION, "already connected")
    assert connect_conflict(connect(mclt=None), connected=False) == (
        RejectReason.INVALID_MCLT, "no MCLT provided")
    assert connect_conflict(connect(mclt=None), connected=True) == (
        RejectReason.DUP_CONNECTION, "already connected")


def test_the_answer_to_our_own_name_carries_our_settings_and_echoes_the_request() -> None:
    answer = connect_answer(connect(tls_request=0), config(), T0 + 1, None)
    assert answer == ConnectAck(
        time=T0 + 1, xid=7, relationship_name=b"fo", max_unacked=12, receive_timer=15,
        vendor_class=VENDOR_CLASS, protocol_version=PROTOCOL_VERSION, tls_reply=0)


def test_a_refusal_of_a_foreign_name_gives_away_no_settings_and_says_why() -> None:
    problem = (RejectReason.INVALID_PARTNER, "unknown failover relationship name")
    answer = connect_answer(connect(relationship_name=b"other"), config(), T0, problem)
    assert (answer.relationship_name, answer.max_unacked, answer.receive_timer) == (
        b"other", None, None)
    assert (answer.reject_reason, answer.message, answer.tls_reply) == (
        RejectReason.INVALID_PARTNER, b"unknown failover relationship name", None)


def test_each_fault_of_a_connectack_is_refused_in_iscs_order() -> None:
    assert connect_ack_refusal(connect_ack(), "fo", T0, connected=False) is None
    cases = [
        (connect_ack(relationship_name=None), False,
         (RejectReason.INVALID_PARTNER, "missing relationship-name")),
        (connect_ack(relationship_name=b"other", time=T0 - 3600), True,
         (RejectReason.INVALID_PARTNER,
          "remote failover relationship name other does not match")),
        (connect_ack(time=T0 - 3600), True, (RejectReason.DUP_CONNECTION, "already connected")),
        (connect_ack(time=T0 - MAX_CLOCK_SKEW_SECONDS - 1), False,
         (RejectReason.TIMEMISMATCH, "time offset too large")),
    ]
    for message, connected, expected in cases:
        assert connect_ack_refusal(message, "fo", T0, connected=connected) == expected
