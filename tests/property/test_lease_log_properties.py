"""A damaged lease file never crashes the server that opens it, nor `audit`.

Real lease files (ISC's, and a log of ours with batches, a release and a failover
state) are damaged the ways disks and editors damage them: bytes changed, inserted,
deleted, or a piece copied elsewhere.  Opening the log (what `serve` does at start-up)
and reading its history (what `audit` does) either work or raise LeaseFileError,
whose message is the one line the admin sees; nothing else may escape.  The first
version of this check, run by hand, found a header byte that crashed start-up.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog
from adapters.leasefile.store_errors import LeaseFileError
from domain import failover_events, lease_events
from domain.lease import BindingState, FailoverState, FailoverStateRecord, Hardware, Lease

FIXTURES = Path(__file__).resolve().parents[1] / "unit/adapters/leasefile/fixtures/isc"
SETTINGS = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
T0 = 1_800_000_000
NOW = datetime.fromtimestamp(T0, UTC)


def our_log() -> bytes:
    """A log of ours: a batch of two ACKs, a release, a failover state change."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dhcpd.leases"
        with LeaseLog(path) as log:
            def acked(host: int, state: BindingState) -> Lease:
                return Lease(f"10.0.0.{host}", starts=T0, ends=T0 + 600, cltt=T0,
                             binding_state=state, hardware=Hardware(1, bytes(5) + bytes([host])),
                             client_hostname=f"host-{host}")
            log.append([lease_events.Acked(originator_id=f"10.0.0.{n}", originator_version=1,
                                           timestamp=NOW, lease=acked(n, BindingState.ACTIVE),
                                           cause="DHCPACK")
                        for n in (1, 2)])
            log.append([lease_events.Released(originator_id="10.0.0.1", originator_version=2,
                                              timestamp=NOW, lease=acked(1, BindingState.FREE),
                                              cause="DHCPRELEASE")])
            record = FailoverStateRecord(peer="fo", my_state=FailoverState.NORMAL, my_time=T0,
                                         partner_state=FailoverState.NORMAL, partner_time=T0)
            log.append([failover_events.StateChanged(
                originator_id=failover_events.failover_id("fo"), originator_version=1,
                timestamp=NOW, state=record, cause="normal")])
        return path.read_bytes()


SEEDS = [our_log(), *(path.read_bytes() for path in sorted(FIXTURES.glob("*.leases"))
                      if path.stat().st_size < 50_000)]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["change", "insert", "delete", "copy"]))
        if how == "change" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif data:
            start = draw(st.integers(0, len(data) - 1))
            data[at:at] = data[start : start + draw(st.integers(1, 200))]
    return bytes(data)


@SETTINGS
@given(damaged())
def test_a_damaged_lease_file_opens_or_is_refused_in_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dhcpd.leases"
        path.write_bytes(data)
        try:
            list(read_history(path))
        except LeaseFileError as error:
            assert "\n" not in str(error)
        try:
            with LeaseLog(path) as log:
                log.load_latest()
        except LeaseFileError as error:
            assert "\n" not in str(error)
