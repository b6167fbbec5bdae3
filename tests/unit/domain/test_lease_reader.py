"""The projections really offer what the decision core reads."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.lease_reader import LeaseReader
from projections.lease_view import LeaseView

MakeConfig = Callable[[str], DhcpConfig]


def test_the_lease_view_is_a_lease_reader(make_config: MakeConfig) -> None:
    view = LeaseView(make_config("subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 10.0.0.2; }"))
    assert isinstance(view, LeaseReader)
    for name in ("get", "by_client_id", "by_hardware", "__iter__"):
        assert callable(getattr(view.table, name))
    for name in ("oldest_free", "oldest_abandoned", "counts"):
        assert callable(getattr(view.pools, name))
    counts = view.pools.counts()[0]
    assert all(isinstance(getattr(counts, name), int) for name in ("total", "free", "backup"))
    assert view.expiry.next_deadline() is None and view.expiry.due(0) == []
