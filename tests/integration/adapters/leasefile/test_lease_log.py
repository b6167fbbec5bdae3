"""The lease log over real files: startup state, appends, rotation, and the audit reader.

What matters most, and is checked here against the full history:
* after a rotation the new live file alone gives the projections exactly the state the
  whole history gives, and the archived segments never change again;
* a rotation that dies before its rename leaves the old file in charge;
* `read_history` sees every event of every segment once, in order, while a writer holds
  the lock, and changes nothing;
* the new live file passes the real `dhcpd -4 -T` without a word.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trio

from adapters.commit import GroupCommitter
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile import segments
from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog, LeaseLogStore
from adapters.leasefile.store_errors import (
    LeaseFileError,
    LeaseFileIOError,
    LeaseFileLockedError,
)
from domain import failover_events, lease_events
from domain.config.model import DhcpConfig
from domain.lease import NEVER, BindingState, FailoverState, FailoverStateRecord, Hardware, Lease
from domain.lease_events import LeaseEvent
from ops.lab.lease_file_check import isc_complaints as lab_isc_complaints
from projections.lease_view import LeaseView

NOW = datetime(2026, 11, 27, 17, 44, 30, tzinfo=UTC)
T0 = int(NOW.timestamp())

CONF = """\
authoritative;
ddns-update-style none;
ping-check false;
failover peer "fo" {
  primary;
  address 127.0.0.1; port 8657;
  peer address 127.0.0.2; peer port 8658;
  max-response-delay 30; max-unacked-updates 10;
  mclt 600; split 128; load balance max seconds 3;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { failover peer "fo"; range 10.0.0.1 10.0.0.254; }
}
"""


@pytest.fixture
def config(tmp_path: Path) -> DhcpConfig:
    path = tmp_path / "dhcpd.conf"
    path.write_text(CONF)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    return folder / "dhcpd.leases"


def lease(host: int, state: BindingState, step: int = 0) -> Lease:
    start = T0 + step
    return Lease(
        ip=f"10.0.0.{host}", starts=start, ends=start + 600, tstp=start + 300, cltt=start,
        binding_state=state,
        next_binding_state=None if state is BindingState.FREE else BindingState.FREE,
        hardware=Hardware(1, bytes([2, 0, 0, 0, 0, host])), uid=bytes([1, 2, 0, 0, 0, 0, host]),
        client_hostname=f"host-{host}",
    )


def failover_state(step: int) -> FailoverStateRecord:
    return FailoverStateRecord(
        peer="fo", my_state=FailoverState.NORMAL, my_time=T0 + step,
        partner_state=FailoverState.COMMUNICATIONS_INTERRUPTED, partner_time=T0 + step,
    )


def lease_event(log: LeaseLog, event_class: type[LeaseEvent], record: Lease) -> LeaseEvent:
    return event_class(
        originator_id=record.ip, originator_version=(log.version_of(record.ip) or 0) + 1,
        timestamp=NOW, lease=record, cause=f"{event_class.__name__} in a test",
    )


def state_event(log: LeaseLog, record: FailoverStateRecord) -> failover_events.StateChanged:
    originator_id = failover_events.failover_id(record.peer)
    return failover_events.StateChanged(
        originator_id=originator_id,
        originator_version=(log.version_of(originator_id) or 0) + 1,
        timestamp=NOW, state=record, cause="state change in a test",
    )


_CYCLE = (
    (lease_events.Acked, BindingState.ACTIVE),
    (lease_events.Released, BindingState.RELEASED),
    (lease_events.Freed, BindingState.FREE),
    (lease_events.Acked, BindingState.ACTIVE),
)


def busy_day(log: LeaseLog, rounds: int, *, hosts: int = 12, rotate: bool = False) -> None:
    """Clients come and go, one event per append; the failover state moves too.
    With `rotate`, the log may rotate after every append, as the daemon lets it."""
    step = 0
    for round_number in range(rounds):
        event_class, state = _CYCLE[round_number % len(_CYCLE)]
        for host in range(1, hosts + 1):
            step += 1
            log.append([lease_event(log, event_class, lease(host, state, step))])
            if rotate:
                log.maybe_rotate()
        log.append([state_event(log, failover_state(step))])


def view_state(view: LeaseView) -> tuple[object, ...]:
    return (
        sorted(view.table, key=lambda record: record.ip),
        view.pool_counts(),
        view.expiry.due(NEVER),
        sorted(view.backlog.pending("fo")),
    )


def view_of_new_segment_alone(path: Path, config: DhcpConfig, scratch: Path) -> LeaseView:
    scratch.mkdir()
    shutil.copyfile(path, scratch / path.name)
    view = LeaseView(config)
    with LeaseLog(scratch / path.name) as alone:
        leases, _ = alone.load_latest()
    view.load(leases)
    return view


def view_of_full_history(path: Path, config: DhcpConfig) -> LeaseView:
    view = LeaseView(config)
    view.load(event.lease for _, _, event in read_history(path) if isinstance(event, LeaseEvent))
    return view


# -- startup state and appends -----------------------------------------------------------


def test_load_latest_gives_the_newest_record_of_every_address_and_peer(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=3)
        leases, states = log.load_latest()
    assert sorted(leases, key=lambda r: r.ip) == [
        lease(1, BindingState.FREE, 7), lease(2, BindingState.FREE, 8),
        lease(3, BindingState.FREE, 9)]
    assert states == {"fo": failover_state(9)}


def test_load_latest_leaves_the_collector_as_it_found_it(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=2)
        assert len(log.load_latest()[0]) == 2 and gc.isenabled()
        gc.disable()
        try:
            assert len(log.load_latest()[0]) == 2 and not gc.isenabled()
        finally:
            gc.enable()


def test_appends_come_back_as_recordings_and_versions_count_on(path: Path) -> None:
    with LeaseLog(path) as log:
        assert log.version_of("10.0.0.1") is None
        first = lease_event(log, lease_events.Acked, lease(1, BindingState.ACTIVE))
        [recording] = log.append([first])
        assert recording.domain_event is first
        assert recording.notification.id == 1
        assert log.version_of("10.0.0.1") == 1
        second, other = (lease_event(log, lease_events.Released, lease(1, BindingState.RELEASED)),
                         lease_event(log, lease_events.Acked, lease(2, BindingState.ACTIVE)))
        assert [r.notification.id for r in log.append([second, other])] == [2, 3]
        assert second.originator_version == 2
    with LeaseLog(path) as log:
        assert log.version_of("10.0.0.1") == 2
        assert log.segments() == [path]


def test_a_second_writer_is_refused(path: Path) -> None:
    with LeaseLog(path), pytest.raises(LeaseFileLockedError):
        LeaseLog(path)


def test_a_missing_live_file_beside_archives_is_refused(path: Path) -> None:
    segments.archive_path(path, 1).write_bytes(b"")
    with pytest.raises(LeaseFileError, match="missing"):
        LeaseLog(path)
    assert not path.exists()


# -- rotation ----------------------------------------------------------------------------------


def test_no_rotation_below_the_limit(path: Path) -> None:
    with LeaseLog(path, rotate_bytes=10**9) as log:
        busy_day(log, 2)
        assert log.maybe_rotate() is None
        assert log.segments() == [path]


def test_rotation_at_the_limit_keeps_exactly_the_live_state(
    path: Path, config: DhcpConfig, tmp_path: Path
) -> None:
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 7, rotate=True)
        archives = log.segments()[:-1]
    assert len(archives) >= 2
    assert path.stat().st_size < 2 * 6000  # the live file was cut down, not kept growing
    alone = view_of_new_segment_alone(path, config, tmp_path / "alone")
    full = view_of_full_history(path, config)
    assert view_state(alone) == view_state(full)
    assert len(alone.table) == 12
    with LeaseLog(path) as log:
        assert log.load_latest()[1] == {"fo": failover_state(7 * 12)}


def test_archived_segments_never_change_again(path: Path) -> None:
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 3, rotate=True)
        first = log.segments()[0]
        kept = first.read_bytes()
        busy_day(log, 4, rotate=True)
        assert len(log.segments()) >= 3
    assert first.read_bytes() == kept


def test_carried_events_keep_the_version_of_the_change_they_copy(path: Path) -> None:
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 7, rotate=True)
    changes: dict[str, list[int]] = {}
    carried = 0
    for _, _, event in read_history(path):
        versions = changes.setdefault(event.originator_id, [])
        if isinstance(event, lease_events.Carried | failover_events.Carried):
            carried += 1
            assert event.originator_version == versions[-1]
        else:
            versions.append(event.originator_version)
    assert carried > 0
    for versions in changes.values():
        assert versions == list(range(1, len(versions) + 1))


def test_a_never_used_free_lease_is_left_out_and_records_of_no_aggregate_kept(
    path: Path,
) -> None:
    host = ('host printer {\n  dynamic;\n  hardware ethernet 00:01:02:03:04:05;\n'
            '  fixed-address 10.0.0.250;\n}\n')
    path.write_text(
        "server-duid \"\\000\\001\\000\\001\";\n\n" + host
        + "lease 10.0.0.3 {\n  binding state free;\n}\n"
        + "lease 10.0.0.4 {\n  starts 2 2026/11/24 10:00:00;\n  binding state free;\n"
          "  hardware ethernet 00:00:00:00:00:04;\n}\n"
    )
    with LeaseLog(path, rotate_bytes=1) as log:
        log.append([lease_event(log, lease_events.Acked, lease(5, BindingState.ACTIVE))])
        assert log.maybe_rotate() is not None
        leases, _ = log.load_latest()
    assert sorted(record.ip for record in leases) == ["10.0.0.4", "10.0.0.5"]
    text = path.read_text()
    assert host in text
    assert 'server-duid "\\000\\001\\000\\001";\n' in text
    # The record ISC wrote comes back in ISC's layout, after its Carried header.
    assert "#es n=1 v=1 t=lease.Carried" in text
    assert "lease 10.0.0.4 {\n  starts 2 2026/11/24 10:00:00;\n  binding state free;\n" in text


def test_a_checkpoint_bigger_than_the_limit_does_not_rotate_at_every_append(
    path: Path,
) -> None:
    with LeaseLog(path, rotate_bytes=1) as log:
        busy_day(log, 1)
        assert log.maybe_rotate() is not None
        log.append([lease_event(log, lease_events.Acked, lease(1, BindingState.ACTIVE, 99))])
        assert log.maybe_rotate() is None
        busy_day(log, 2, rotate=True)  # the live file doubles: now it may rotate again
        assert len(log.segments()) >= 3


class Crash(BaseException):
    """The process dies: nothing after this point runs, no clean-up either."""


def test_a_crash_before_the_rename_leaves_the_old_file_in_charge(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    log = LeaseLog(path, rotate_bytes=1)
    busy_day(log, 2, hosts=3)
    before = path.read_bytes()
    expected = log.load_latest()

    def crash(*_: object) -> None:
        raise Crash

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Crash):
        log.maybe_rotate()
    monkeypatch.undo()
    assert path.read_bytes() == before
    # Meanwhile the audit reader does not count the half-made archive twice.
    assert len(list(read_history(path))) == 2 * 3 + 2
    log.close()  # the process is gone; its lock with it

    with caplog.at_level(logging.WARNING), LeaseLog(path) as again:
        assert again.load_latest() == expected
        assert again.segments() == [path]
    assert sorted(os.listdir(path.parent)) == ["dhcpd.leases", "dhcpd.leases.index"]
    assert "left by a rotation that did not finish" in caplog.text


def test_a_failed_rotation_is_taken_back_and_the_log_goes_on(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LeaseLog(path, rotate_bytes=1) as log:
        busy_day(log, 1, hosts=3)

        def refuse(*_: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(os, "link", refuse)
        with pytest.raises(LeaseFileIOError, match="Permission denied"):
            log.maybe_rotate()
        monkeypatch.undo()
        assert sorted(os.listdir(path.parent)) == ["dhcpd.leases"]
        log.append([lease_event(log, lease_events.Acked, lease(9, BindingState.ACTIVE))])
        assert log.maybe_rotate() is not None
        assert len(log.load_latest()[0]) == 4


# -- the audit reader ---------------------------------------------------------------------------


def test_the_history_reader_sees_every_event_in_order_beside_a_writer(path: Path) -> None:
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 5, rotate=True)
        files = {p: p.read_bytes() for p in log.segments()}
        history = list(read_history(path))
        # The writer still holds its lock, and nothing was changed.
        with pytest.raises(LeaseFileLockedError):
            LeaseLog(path)
        assert {p: p.read_bytes() for p in log.segments()} == files
    names = [segment.name for segment in files]
    assert [name for name, _, _ in history] == sorted(
        (name for name, _, _ in history), key=names.index)
    for name in names:
        positions = [position for segment, position, _ in history if segment == name]
        assert positions == list(range(1, len(positions) + 1))
    written = [e for _, _, e in history if not isinstance(
        e, lease_events.Carried | failover_events.Carried)]
    assert len(written) == 5 * 12 + 5
    assert [e.originator_id for e in written[:13]] == [
        *(f"10.0.0.{host}" for host in range(1, 13)), "failover:fo"]


def test_the_live_segment_alone_gives_the_current_state(path: Path) -> None:
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 5, rotate=True)
        assert len(log.segments()) > 1
    everything = list(read_history(path))
    live = list(read_history(path, live_only=True))
    assert {segment for segment, _, _ in live} == {path.name}

    def latest(history: list) -> dict:
        return {e.originator_id: getattr(e, "lease", None) or e.state for _, _, e in history}

    assert latest(live) == latest(everything)


def test_the_history_reader_stops_before_a_torn_tail_and_leaves_it(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 1, hosts=2)
    with open(path, "ab") as live:  # a batch the daemon is still writing
        live.write(b"#es n=4 v=2 t=lease.Acked c=00000000 b=1/2\nlease 10.0.0.1 {\n  sta")
    torn = path.read_bytes()
    assert [e.originator_id for _, _, e in read_history(path)] == [
        "10.0.0.1", "10.0.0.2", "failover:fo"]
    assert path.read_bytes() == torn


def test_the_history_of_no_log_is_empty(path: Path) -> None:
    assert list(read_history(path)) == []


# -- the group committer's store -------------------------------------------------------------------


async def test_concurrent_commits_go_through_the_lease_log_and_rotate_on_the_way(
    path: Path, config: DhcpConfig
) -> None:
    view = LeaseView(config)
    log = LeaseLog(path, rotate_bytes=4000)
    committer = GroupCommitter(
        LeaseLogStore(log), lambda recordings: [view.apply(r.domain_event.lease)
                                                for r in recordings])
    versions = dict.fromkeys(range(1, 17), 0)

    async def client(host: int) -> None:
        for step in range(4):
            versions[host] += 1
            event = lease_events.Acked(
                originator_id=f"10.0.0.{host}", originator_version=versions[host],
                timestamp=NOW, lease=lease(host, BindingState.ACTIVE, step), cause="ack")
            await committer.commit([event])

    with log:
        async with trio.open_nursery() as nursery:
            await nursery.start(committer.run)
            async with trio.open_nursery() as clients:
                for host in versions:
                    clients.start_soon(client, host)
            committer.close()
        assert len(log.segments()) >= 2
    assert committer.events_written == 64
    assert committer.batches_written < 64
    assert view_state(view) == view_state(view_of_full_history(path, config))


def test_a_failed_rotation_does_not_fail_the_batch(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "link", refuse)
    with LeaseLog(path, rotate_bytes=1) as log, caplog.at_level(logging.ERROR):
        store = LeaseLogStore(log)
        event = lease_event(log, lease_events.Acked, lease(1, BindingState.ACTIVE))
        assert [r.domain_event for r in store.save_batch([event])] == [event]
    assert "keeps growing until a rotation succeeds" in caplog.text
    assert log.segments() == [path]


def test_a_rotation_that_keeps_failing_is_logged_once_until_it_succeeds(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    refused = [True]
    real_link = os.link

    def link(*args: object) -> None:
        if refused[0]:
            raise PermissionError(1, "Operation not permitted")
        real_link(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    with LeaseLog(path, rotate_bytes=1) as log, caplog.at_level(logging.ERROR):
        store = LeaseLogStore(log)
        for host in range(1, 4):
            store.save_batch([lease_event(log, lease_events.Acked,
                                          lease(host, BindingState.ACTIVE))])
        assert caplog.text.count("keeps growing") == 1
        refused[0] = False
        store.save_batch([lease_event(log, lease_events.Acked, lease(4, BindingState.ACTIVE))])
        assert len(log.segments()) == 2


# -- ISC reads the new segment ---------------------------------------------------------------------

def isc_complaints(dhcpd: str, folder: Path, leases: Path) -> list[str]:
    """Every line `dhcpd -4 -T` prints about the lease file, under the covering config."""
    conf = folder / "covering.conf"
    conf.write_text(CONF)
    return lab_isc_complaints(conf, leases, folder / "isc", dhcpd=dhcpd)


def test_the_new_live_file_passes_dhcpd(
    path: Path, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    dhcpd = require_tool("dhcpd")
    path.write_text('host printer {\n  dynamic;\n  hardware ethernet 00:01:02:03:04:05;\n'
                    '  fixed-address 10.0.0.250;\n}\n')
    with LeaseLog(path, rotate_bytes=6000) as log:
        busy_day(log, 3, rotate=True)
        assert len(log.segments()) >= 2
    assert path.read_text().startswith(
        "# The format of this file is documented in the dhcpd.leases(5) manual page.\n")
    assert isc_complaints(dhcpd, tmp_path, path) == []


def test_keeping_n_segments_prunes_the_oldest_after_each_rotation(
    path: Path, config: DhcpConfig, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO"), LeaseLog(path, rotate_bytes=6000, keep_segments=2) as log:
        busy_day(log, 7, rotate=True)
        kept = log.segments()[:-1]
    assert len(kept) == 2
    assert kept[-1].name.endswith(f"{len(kept) + len(removed_lines(caplog)):06d}")
    assert removed_lines(caplog) and all("keeping the newest 2 archived segments" in line
                                         for line in removed_lines(caplog))
    # What is left reads from its first checkpoint on to the same state as before.
    full = view_of_full_history(path, config)
    assert len(full.table) == 12
    with LeaseLog(path) as log:
        assert log.load_latest()[1] == {"fo": failover_state(7 * 12)}


def removed_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if ": removed " in r.getMessage()]


def test_an_hour_old_segment_that_grew_rotates_as_dhcpd_rewrites_hourly(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = [0.0]
    with caplog.at_level("INFO"), LeaseLog(path, rotate_seconds=3600,
                                           monotonic=lambda: clock[0]) as log:
        log.append([lease_event(log, lease_events.Acked, lease(1, BindingState.ACTIVE))])
        clock[0] = 3599
        assert log.maybe_rotate() is None
        clock[0] = 3600
        first = log.maybe_rotate()
        assert first is not None and first.name == "dhcpd.leases.seg-000001"
        log.append([lease_event(log, lease_events.Acked, lease(2, BindingState.ACTIVE))])
        clock[0] = 7199
        assert log.maybe_rotate() is None  # 3599 s since the checkpoint
        clock[0] = 7200
        assert log.maybe_rotate() is not None
        clock[0] = 20000
        assert log.maybe_rotate() is None  # nothing since its checkpoint: no new segment
        assert len(log.segments()) == 3
    assert "dhcpd.leases: 3600 s old (--rotate-seconds 3600); archived as" in caplog.text


def test_a_quick_save_is_only_the_append_and_waits_while_upkeep_is_due(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The trio thread may save a batch itself only when nothing else is due with it: a
    # rotation (or an index save) is left to the writer thread's `save_batch`.
    with LeaseLog(path, rotate_bytes=10**9) as log:
        store = LeaseLogStore(log)
        first = lease_event(log, lease_events.Acked, lease(1, BindingState.ACTIVE))
        assert not log.upkeep_due()
        recordings = store.save_batch_quickly([first])
        assert recordings is not None and [r.domain_event for r in recordings] == [first]
        assert log.version_of("10.0.0.1") == 1
        log.rotate_bytes = 1  # the live file is past the limit now
        assert log.upkeep_due()
        second = lease_event(log, lease_events.Acked, lease(2, BindingState.ACTIVE))
        assert store.save_batch_quickly([second]) is None
        assert log.version_of("10.0.0.2") is None  # nothing written
        assert [r.domain_event for r in store.save_batch([second])] == [second]
        assert len(log.segments()) == 2  # the writer thread's path rotated
        assert not log.upkeep_due()
        monkeypatch.setattr("adapters.leasefile.lease_log.INDEX_EVERY_BYTES", 1)
        assert log.upkeep_due()  # an index save is due
