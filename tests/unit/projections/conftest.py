"""A failover configuration for the projection tests (built by the shared
`make_config` fixture in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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
def failover_config(make_config: Callable[[str], DhcpConfig]) -> DhcpConfig:
    return make_config(FAILOVER_CONF)
