"""list_interfaces() against the kernel: this machine's loopback, and a network
namespace the test makes (root only) with veth pairs in the states that matter."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

from adapters.net_interfaces import list_interfaces
from ops.lab.netns import run_ip

_LISTING = (
    "import json\n"
    "from adapters.net_interfaces import list_interfaces\n"
    "print(json.dumps([[i.name, [str(a) for a in i.addresses], i.up, i.broadcast,"
    " i.loopback, i.point_to_point] for i in list_interfaces()]))\n"
)


def test_loopback_is_listed_with_its_address_and_flags() -> None:
    found = {interface.name: interface for interface in list_interfaces()}

    loopback = found["lo"]
    assert loopback.addresses[0] == ipaddress.IPv4Address("127.0.0.1")
    assert loopback.up and loopback.loopback
    assert not loopback.broadcast and not loopback.point_to_point


@pytest.fixture
def namespace(prerequisite_missing: Callable[[str], NoReturn]) -> Iterator[str]:
    """A namespace of our own: lo (left down), `addr0` 10.7.0.1/24 and (secondary)
    10.7.0.2/24 and 10.7.9.1/24 up with its peer `peer0` up and unaddressed, `down0`
    10.7.1.1/24 down with its peer `peer1`."""
    if os.geteuid() != 0:
        prerequisite_missing("making a network namespace needs root")
    name = f"llif{os.getpid()}"
    run_ip("netns", "add", name)
    try:
        run_ip("-n", name, "link", "add", "addr0", "type", "veth", "peer", "name", "peer0")
        run_ip("-n", name, "link", "add", "down0", "type", "veth", "peer", "name", "peer1")
        run_ip("-n", name, "addr", "add", "10.7.0.1/24", "dev", "addr0")
        run_ip("-n", name, "addr", "add", "10.7.0.2/24", "dev", "addr0")
        run_ip("-n", name, "addr", "add", "10.7.9.1/24", "dev", "addr0")
        run_ip("-n", name, "addr", "add", "10.7.1.1/24", "dev", "down0")
        for interface in ("addr0", "peer0"):
            run_ip("-n", name, "link", "set", interface, "up")
        yield name
    finally:
        run_ip("netns", "delete", name)


def test_each_interface_of_a_namespace_in_index_order(namespace: str) -> None:
    listing = subprocess.run(
        ["ip", "netns", "exec", namespace, sys.executable, "-c", _LISTING],
        capture_output=True, text=True, check=True, timeout=30)
    rows = json.loads(listing.stdout)
    by_index = sorted(json.loads(run_ip("-n", namespace, "-j", "link", "show")),
                      key=lambda link: link["ifindex"])

    assert [row[0] for row in rows] == [link["ifname"] for link in by_index]
    assert {row[0]: row[1:] for row in rows} == {
        "lo": [[], False, False, True, False],
        "peer0": [[], True, True, False, False],
        # as the kernel lists them: the primary of each prefix, then the secondaries
        "addr0": [["10.7.0.1", "10.7.9.1", "10.7.0.2"], True, True, False, False],
        "peer1": [[], False, True, False, False],
        "down0": [["10.7.1.1"], False, True, False, False],
    }
