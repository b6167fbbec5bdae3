"""`ViewLeases`: the daemon's lease view as a failover relationship reads it —
addresses without a record are FREE (as ISC creates a range), only the
relationship's pools count, and balancing sees this server's own free queue oldest
first."""

from __future__ import annotations

from domain.lease import BindingState, Lease
from projections.lease_view import LeaseView
from projections.relationship_view import ViewLeases

CONF = """\
failover peer "fo" {
  secondary;
  address 10.0.0.12;
  peer address 10.0.0.10;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 10.0.0.100 10.0.0.103;
  }
  pool {
    range 10.0.0.200 10.0.0.201;
  }
}
"""


def leases(make_config) -> ViewLeases:
    config = make_config(CONF)
    return ViewLeases(LeaseView(config), config, config.failover_peers[0])


def test_an_address_without_a_record_is_free_and_only_the_relationships_count(
    make_config,
) -> None:
    view = leases(make_config)

    assert view.get("10.0.0.101") == Lease(ip="10.0.0.101", binding_state=BindingState.FREE)
    assert view.get("10.0.0.200") is None
    assert view.in_relationship("10.0.0.103") and not view.in_relationship("10.0.0.200")
    assert not view.in_relationship("10.0.0.50")  # in the subnet, in no range
    assert not view.in_relationship("not an address")
    # Only the dotted quad as IPv4Address writes it: inet_aton would also take these.
    for spelling in ("010.0.0.101", "10.0.0.0101", "10.101", "167772261", "10.0.0.101 "):
        assert not view.in_relationship(spelling), spelling
    assert list(view.addresses()) == [f"10.0.0.{n}" for n in range(100, 104)]


def test_owed_are_the_unacknowledged_and_the_expired(make_config) -> None:
    view = leases(make_config)
    view.view.apply(Lease(ip="10.0.0.100", tstp=50, tsfp=40,
                          binding_state=BindingState.ACTIVE))
    view.view.apply(Lease(ip="10.0.0.101", tstp=50, tsfp=50,
                          binding_state=BindingState.ACTIVE))
    view.view.apply(Lease(ip="10.0.0.102", tstp=50, tsfp=50,
                          binding_state=BindingState.EXPIRED))

    assert list(view.owed()) == ["10.0.0.100", "10.0.0.102"]


def test_a_secondary_balances_from_its_backup_queue_oldest_first(make_config) -> None:
    view = leases(make_config)
    view.view.apply(Lease(ip="10.0.0.103", ends=10, binding_state=BindingState.BACKUP))
    view.view.apply(Lease(ip="10.0.0.100", ends=20, binding_state=BindingState.BACKUP))
    # A reserved lease is on dhcpd's reserved queue: neither counted nor balanced.
    view.view.apply(Lease(ip="10.0.0.101", ends=5, binding_state=BindingState.BACKUP,
                          reserved=True))

    (pool,) = view.pools()

    assert (pool.total, pool.free, pool.backup) == (4, 1, 2)
    assert [lease.ip for lease in pool.own_free] == ["10.0.0.103", "10.0.0.100"]
    assert pool.label.endswith("10.0.0.0/24")


def test_free_and_backup_are_the_counts_of_the_addresss_own_pool(make_config) -> None:
    view = leases(make_config)
    assert view.free_and_backup("10.0.0.102") == (4, 0)
    view.view.apply(Lease(ip="10.0.0.100", binding_state=BindingState.BACKUP))
    view.view.apply(Lease(ip="10.0.0.101", binding_state=BindingState.ACTIVE))
    view.view.apply(Lease(ip="10.0.0.200", binding_state=BindingState.ACTIVE))

    assert view.free_and_backup("10.0.0.102") == (2, 1)
    assert view.free_and_backup("10.0.0.201") == (1, 0)  # the other pool's own counts
