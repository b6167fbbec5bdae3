"""The errors the lease-file event store raises.

They derive from the eventsourcing library's persistence errors, so an application
that already handles `PersistenceError` (or `IntegrityError` for a version conflict)
handles ours, and every message names the file concerned.
"""

from __future__ import annotations

from eventsourcing.persistence import DataError, OperationalError, PersistenceError


class LeaseFileError(PersistenceError):
    """Something about the lease file itself: every store error is one of these."""


class LeaseFileLockedError(LeaseFileError, OperationalError):
    """Another process (or another store in this one) already writes this file."""


class LeaseFileIOError(LeaseFileError, OperationalError):
    """The operating system refused to read, write or sync the file."""


class LeaseRecordError(LeaseFileError, DataError):
    """An event's state cannot be written as a record of this file."""
