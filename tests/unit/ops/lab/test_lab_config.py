"""The lab's shared configuration is one both servers accept, and fits the topology."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from adapters.dhcpdconf.reader import read_config
from ops.lab.lab_config import LAB_CONF, LAB_RANGE, SHARED_NETWORK
from ops.lab.netns import PERFDHCP_ADDRESS


def test_the_lab_config_parses_and_covers_the_lab_range(tmp_path: Path) -> None:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text(LAB_CONF)
    assert read_config(str(conf)).ok
    low, high = LAB_RANGE
    assert low in SHARED_NETWORK[0] and high in SHARED_NETWORK[0]
    assert IPv4Address(PERFDHCP_ADDRESS) in SHARED_NETWORK[0]
