"""This program's version, as installed: `--version` prints it (dhcpd prints
`isc-dhcpd-4.4.3-P1`) and a new lease-log segment names its writer with it."""

from __future__ import annotations

import importlib.metadata


def version_text() -> str:
    """`leaseledger-VERSION`, or `leaseledger` when run from a source tree."""
    try:
        return f"leaseledger-{importlib.metadata.version('leaseledger')}"
    except importlib.metadata.PackageNotFoundError:
        return "leaseledger"
