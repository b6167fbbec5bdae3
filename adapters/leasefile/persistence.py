"""The eventsourcing persistence module for a dhcpd.leases file.

An application selects it with two environment keys:

    PERSISTENCE_MODULE = "adapters.leasefile.persistence"
    LEASE_FILE = "/var/lib/dhcp/dhcpd.leases"

(`lease_file_env(path)` returns exactly that).  The factory then gives the application
the lease-file recorder and `LeaseFileMapper`, which writes lease and failover events as
ISC records; `MAPPER_TOPIC` may still name another mapper.  The library looks the
factory up as the one concrete `InfrastructureFactory` in this module.

What the lease file cannot hold is refused with a clear error instead of being faked:
snapshots (every event already carries the whole record, so replaying an address is
reading its last event) and process recorders.  Tracking positions live in memory:
projections are rebuilt from the log at every start.
"""

from __future__ import annotations

import os
from typing import Any

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    InfrastructureFactoryError,
    Mapper,
    ProcessRecorder,
    Transcoder,
)
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.utils import Environment, EnvType, resolve_topic

from adapters.leasefile.application_recorder import LeaseFileApplicationRecorder
from adapters.leasefile.event_mapper import LeaseFileMapper
from adapters.leasefile.isc_records import ISC_RECORD_TOPICS, read_isc_records

LEASE_FILE = "LEASE_FILE"
PERSISTENCE_MODULE_TOPIC = __name__  # "adapters.leasefile.persistence"


def lease_file_env(path: str | os.PathLike[str]) -> dict[str, str]:
    """The environment that makes an eventsourcing Application keep `path`."""
    return {
        InfrastructureFactory.PERSISTENCE_MODULE: PERSISTENCE_MODULE_TOPIC,
        LEASE_FILE: os.fspath(path),
    }


def open_lease_file(path: str | os.PathLike[str]) -> LeaseFileApplicationRecorder:
    """Open (creating if need be) and lock a lease file as leaseledger's event log."""
    return LeaseFileApplicationRecorder(
        path, record_topics=ISC_RECORD_TOPICS, read_headerless=read_isc_records
    )


class LeaseFileFactory(InfrastructureFactory[POPOTrackingRecorder]):
    """Builds the recorder over the file named by `LEASE_FILE` (once per factory)."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self._recorder: LeaseFileApplicationRecorder | None = None

    def mapper(
        self,
        transcoder: Transcoder | None = None,
        mapper_class: type[Mapper[Any]] | None = None,
    ) -> Mapper[Any]:
        if mapper_class is None and not self.env.get(self.MAPPER_TOPIC):
            mapper_class = LeaseFileMapper
        return super().mapper(transcoder=transcoder, mapper_class=mapper_class)

    def application_recorder(self) -> ApplicationRecorder:
        if self._recorder is None:
            path = self.env.get(LEASE_FILE)
            if not path:
                raise InfrastructureFactoryError(
                    f"set {LEASE_FILE} to the path of the dhcpd.leases file to keep"
                )
            self._recorder = open_lease_file(path)
        return self._recorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose != "events":
            raise InfrastructureFactoryError(
                f"the lease file keeps events only, not {purpose}: leave snapshotting off"
            )
        return self.application_recorder()

    def tracking_recorder(
        self, tracking_recorder_class: type[POPOTrackingRecorder] | None = None
    ) -> POPOTrackingRecorder:
        if tracking_recorder_class is None:
            topic = self.env.get(self.TRACKING_RECORDER_TOPIC)
            tracking_recorder_class = resolve_topic(topic) if topic else POPOTrackingRecorder
        assert tracking_recorder_class is not None
        return tracking_recorder_class()

    def process_recorder(self) -> ProcessRecorder:
        raise InfrastructureFactoryError(
            "the lease file cannot record tracking atomically with events:"
            " no process recorder"
        )

    def close(self) -> None:
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None
        super().close()

