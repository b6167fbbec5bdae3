"""The checks of a failover link's handshake, CONNECT and CONNECTACK, as ISC dhcpd 4.4
makes them (server/failover.c `dhcp_failover_link_signal`; spec failover §1.4).

Pure functions: each takes the message, our relationship's name, `now`, and whether a
link is up already, and says what is wrong with it — the reject reason and ISC's text
— in ISC's order, so a message with several faults is refused for the one ISC names.
`FailoverSession` turns the verdicts into answers, log lines and dropped connections.
"""

from __future__ import annotations

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover_messages import (
    HBA_SIZE,
    PROTOCOL_VERSION,
    Connect,
    ConnectAck,
    RejectReason,
)

VENDOR_CLASS = b"leaseledger-0.1"
MAX_CLOCK_SKEW_SECONDS = 60

Problem = tuple[RejectReason, str]


def connect_refusal(message: Connect, name: str, now: int) -> Problem | None:
    """What makes ISC refuse a CONNECT outright (logged, answered, dropped): no or an
    unknown relationship name, a clock more than a minute off, a missing or short HBA."""
    if message.relationship_name is None:
        return RejectReason.INVALID_PARTNER, "missing relationship-name"
    if message.relationship_name != name.encode():
        return RejectReason.INVALID_PARTNER, "unknown failover relationship name"
    if abs(now - message.time) > MAX_CLOCK_SKEW_SECONDS:
        return RejectReason.TIMEMISMATCH, "time offset too large"
    if message.hba is None or len(message.hba) != HBA_SIZE:
        return RejectReason.HBA_CONFLICT, "invalid HBA"
    return None


def connect_conflict(message: Connect, *, connected: bool) -> Problem | None:
    """What makes ISC answer a valid CONNECT with a refusal and drop it without a log
    line: a link is up already (the first CONNECT wins), or no MCLT was offered."""
    if connected:
        return RejectReason.DUP_CONNECTION, "already connected"
    if message.mclt is None:
        return RejectReason.INVALID_MCLT, "no MCLT provided"
    return None


def connect_ack_refusal(message: ConnectAck, name: str, now: int, *,
                        connected: bool) -> Problem | None:
    """What makes an ISC primary say DISCONNECT to the CONNECTACK answering its CONNECT
    (a CONNECTACK that itself rejects is not checked: the caller logs its reason)."""
    received = message.relationship_name
    if received is None:
        return RejectReason.INVALID_PARTNER, "missing relationship-name"
    if received != name.encode():
        return (RejectReason.INVALID_PARTNER, "remote failover relationship name"
                f" {received.decode('latin-1')} does not match")
    if connected:
        return RejectReason.DUP_CONNECTION, "already connected"
    if abs(now - message.time) > MAX_CLOCK_SKEW_SECONDS:
        return RejectReason.TIMEMISMATCH, "time offset too large"
    return None


def connect_answer(connect: Connect, config: FailoverPeerConfig, now: int,
                   problem: Problem | None) -> ConnectAck:
    """CONNECTACK as ISC lays it out: the CONNECT's xid and name echoed, our own
    settings only when the name was ours, TLS-reply only if TLS was requested, and
    the reject reason and its text when refused."""
    echo = connect.relationship_name
    known = echo == config.name.encode()
    return ConnectAck(
        time=now, xid=connect.xid, relationship_name=echo,
        max_unacked=config.max_unacked_updates if known else None,
        receive_timer=config.max_response_delay if known else None,
        vendor_class=VENDOR_CLASS, protocol_version=PROTOCOL_VERSION,
        tls_reply=0 if connect.tls_request is not None else None,
        reject_reason=problem[0] if problem else None,
        message=problem[1].encode() if problem else None,
    )
