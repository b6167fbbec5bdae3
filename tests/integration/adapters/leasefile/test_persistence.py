"""An eventsourcing Application that keeps dhcpd.leases: configured by environment only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactoryError
from eventsourcing.utils import get_topic

from adapters.leasefile.application_recorder import LeaseFileApplicationRecorder
from adapters.leasefile.event_mapper import LeaseFileMapper
from adapters.leasefile.persistence import LEASE_FILE, LeaseFileFactory, lease_file_env
from adapters.leasefile.store_errors import LeaseFileLockedError
from domain.failover_events import FailoverRelationship, StateChanged
from domain.lease import BindingState, FailoverState, FailoverStateRecord, Hardware, Lease
from domain.lease_events import Acked, AddressLease, Released

NOW = datetime(2026, 11, 27, 17, 44, 30, tzinfo=UTC)


def lease(state: BindingState) -> Lease:
    return Lease(ip="10.0.0.111", starts=1795801470, ends=1795802070, cltt=1795801470,
                 binding_state=state, hardware=Hardware(1, bytes.fromhex("0004acd65896")))


def test_an_application_keeps_its_aggregates_in_the_lease_file(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    with Application[str](env=lease_file_env(path)) as app:
        assert isinstance(app.recorder, LeaseFileApplicationRecorder)
        assert isinstance(app.mapper, LeaseFileMapper)
        address = AddressLease.begin(Acked, lease(BindingState.ACTIVE), "DHCPREQUEST", NOW)
        address.record(Released, lease(BindingState.RELEASED), "DHCPRELEASE", NOW)
        relationship = FailoverRelationship.begin(
            StateChanged,
            FailoverStateRecord(peer="fo", my_state=FailoverState.NORMAL, my_time=1795801470,
                                partner_state=FailoverState.NORMAL, partner_time=1795801470),
            "peer is normal",
            NOW,
        )
        recordings = app.save(address, relationship)
        assert [r.notification.id for r in recordings] == [1, 2, 3]
    assert path.read_text().count("lease 10.0.0.111 {") == 2

    with Application[str](env=lease_file_env(path)) as app:
        again = app.repository.get("10.0.0.111")
        assert again == address
        assert app.repository.get("failover:fo") == relationship
        assert [n.topic for n in app.notification_log.select(start=1, limit=10)] == [
            get_topic(Acked), get_topic(Released), get_topic(StateChanged)]


def test_the_factory_is_found_through_the_environment(tmp_path: Path) -> None:
    env = lease_file_env(tmp_path / "dhcpd.leases")
    with Application[str](env=env) as app:
        assert type(app.factory) is LeaseFileFactory
        assert app.factory.aggregate_recorder() is app.recorder
        assert app.factory.tracking_recorder().max_tracking_id("x") is None
        with pytest.raises(InfrastructureFactoryError, match="snapshots"):
            app.factory.aggregate_recorder("snapshots")
        with pytest.raises(InfrastructureFactoryError, match="process recorder"):
            app.factory.process_recorder()
        with pytest.raises(LeaseFileLockedError):
            Application[str](env=env)


def test_a_missing_lease_file_setting_is_named(tmp_path: Path) -> None:
    env = lease_file_env(tmp_path / "dhcpd.leases")
    del env[LEASE_FILE]
    with pytest.raises(InfrastructureFactoryError, match=LEASE_FILE):
        Application[str](env=env)
