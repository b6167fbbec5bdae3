"""The lines ISC dhcpd 4.4 logs about BNDACKs for our own BNDUPDs
(server/failover.c `dhcp_failover_process_bind_ack`): a refusal, an acknowledgement
for an address it has no lease for, and one whose xid is not the update's."""

from __future__ import annotations

from domain.failover_messages import reject_reason_text

__all__ = ["ack_rejected_line", "ack_unknown_lease_line", "ack_xid_mismatch_line"]


def ack_rejected_line(ip: str, peer_name: str, reason: int, message: bytes | None) -> str:
    """What ISC logs (error level) when the peer refuses our BNDUPD: the peer's message,
    or the text of its reason when it sent none.  The lease stays as it is."""
    if message is not None:
        # printf's %.*s stops at a NUL byte.
        text = message.split(b"\0", 1)[0].decode("latin-1")
    else:
        text = reject_reason_text(reason)
    return f"bind update on {ip} from {peer_name} rejected: {text}"


def ack_unknown_lease_line(ip: str, peer_name: str) -> str:
    """What ISC logs for a BNDACK naming an address it has no lease for."""
    return f"bind update on {ip} got ack from {peer_name}: no such lease."


def ack_xid_mismatch_line(ip: str, peer_name: str) -> str:
    """What ISC logs for a BNDACK whose xid is not our BNDUPD's; the lease then stays
    waiting for its acknowledgement."""
    return f"bind update on {ip} got ack from {peer_name}: xid mismatch."
