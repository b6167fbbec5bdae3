"""The application recorder on a real lease file: the eventsourcing library's own
application recorder test cases (notifications, their numbering, subscriptions)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from adapters.leasefile.application_recorder import LeaseFileApplicationRecorder
from adapters.leasefile.persistence import open_lease_file


class TestLeaseFileApplicationRecorder(ApplicationRecorderTestCase[LeaseFileApplicationRecorder]):
    def create_recorder(self) -> LeaseFileApplicationRecorder:
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        recorder = open_lease_file(Path(folder) / "dhcpd.leases")
        self.addCleanup(recorder.close)
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


# The library's abstract case must not be collected on its own.
del ApplicationRecorderTestCase
