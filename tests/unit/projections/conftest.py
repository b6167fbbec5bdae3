"""Build a real configuration model from dhcpd.conf text for the projection tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.model import DhcpConfig

FAILOVER_CONF = """
failover peer "fo" {
  primary; address 10.0.0.10; peer address 10.0.0.12;
  mclt 60; split 128; max-lease-ownership 10;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { failover peer "fo"; deny dynamic bootp clients; range 10.0.0.100 10.0.0.109; }
}
subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.14; }
"""


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[str], DhcpConfig]:
    def make(text: str) -> DhcpConfig:
        path = tmp_path / "dhcpd.conf"
        path.write_text(text)
        result = read_config(str(path))
        assert result.ok, result.output_lines()
        return build_config(result.tree)

    return make


@pytest.fixture
def failover_config(make_config: Callable[[str], DhcpConfig]) -> DhcpConfig:
    return make_config(FAILOVER_CONF)
