"""The lines ISC logs about BNDACKs for our BNDUPDs: a refusal (the peer's message or
its reason's text), an unknown address and an xid mismatch."""

from __future__ import annotations

from domain.failover.ack_lines import (
    ack_rejected_line,
    ack_unknown_lease_line,
    ack_xid_mismatch_line,
)
from domain.failover_messages import RejectReason

IP = "10.0.0.111"


def test_ack_log_lines_read_like_iscs() -> None:
    assert ack_rejected_line(IP, "fo", RejectReason.FATAL_CONFLICT, None) == (
        f"bind update on {IP} from fo rejected: "
        "Fatal conflict exists: address in use by other client."
    )
    assert ack_rejected_line(IP, "fo", 2, b"bad\0tail") == (
        f"bind update on {IP} from fo rejected: bad"
    )
    assert ack_unknown_lease_line(IP, "fo") == (
        f"bind update on {IP} got ack from fo: no such lease."
    )
    assert ack_xid_mismatch_line(IP, "fo") == f"bind update on {IP} got ack from fo: xid mismatch."
