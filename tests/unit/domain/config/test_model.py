"""DhcpConfig: its consistency rules and the questions the server will ask it."""

from __future__ import annotations

import ipaddress
import json

import pytest
from pydantic import ValidationError

from domain.config.declarations import (
    AddressRange,
    ClassConfig,
    HardwareAddress,
    HostConfig,
    HostIdentifier,
    PoolConfig,
    SharedNetworkConfig,
    SubnetConfig,
)
from domain.config.expressions import ConstData, OptionValue
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import DhcpConfig, isc_subnet_search_order
from domain.config.option_settings import OptionSetting
from domain.config.scopes import Scope
from domain.options.standard_tables import SERVER_OPTIONS

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network
MAX_LEASE = {name: code for name, code, _ in SERVER_OPTIONS}["max-lease-time"]
MAC_A = bytes.fromhex("00163e200001")


def max_lease(seconds: int) -> OptionSetting:
    return OptionSetting(op="supersede", space="server", name="max-lease-time",
                         code=MAX_LEASE, value=seconds.to_bytes(4, "big"), text=str(seconds))


def dns(text: str) -> OptionSetting:
    return OptionSetting(op="supersede", space="dhcp", name="domain-name-servers", code=6,
                         value=IP(text).packed, text=text)


# global(0) > group "office"(1) > shared-network campus(2) > subnets (3, 4); pool(5)
# under campus; host(6) in the group; class(7); implicit network for 192.168.0.0/16(8).
SCOPES = (
    Scope(id=0, kind="global", parent=None, options=(max_lease(1000), dns("10.0.0.251"))),
    Scope(id=1, kind="group", parent=0, name="office", options=(max_lease(2000),)),
    Scope(id=2, kind="shared-network", parent=1, name="campus", authoritative=True,
          options=(max_lease(3000),)),
    Scope(id=3, kind="subnet", parent=2, authoritative=True, options=(max_lease(4000),)),
    Scope(id=4, kind="subnet", parent=2, authoritative=False),
    Scope(id=5, kind="pool", parent=2, options=(max_lease(5000), dns("10.0.0.254"))),
    Scope(id=6, kind="host", parent=1, options=(max_lease(7000),)),
    Scope(id=7, kind="class", parent=0, options=(max_lease(6000),)),
    Scope(id=8, kind="subnet", parent=0),
)
LAN = SubnetConfig(id=0, network=NET("10.0.0.0/24"), shared_network="campus", scope=SCOPES[3])
LAB = SubnetConfig(id=1, network=NET("10.0.1.0/24"), shared_network="campus", scope=SCOPES[4])
WIDE = SubnetConfig(id=2, network=NET("192.168.0.0/16"), shared_network="192.168.0.0/16",
                    scope=SCOPES[8])
POOL = PoolConfig(
    id=0, shared_network="campus", scope=SCOPES[5], failover_peer="fo",
    ranges=(AddressRange(low=IP("10.0.0.100"), high=IP("10.0.0.250"), subnet_id=0,
                         subnet=LAN.network),),
)
HOST_A = HostConfig(name="ws1", scope=SCOPES[6],
                    hardware=HardwareAddress(htype=1, address=MAC_A))
HOST_B = HostConfig(name="ws1-wifi", scope=SCOPES[6],
                    hardware=HardwareAddress(htype=1, address=MAC_A), client_identifier=b"ws1")
CLASS = ClassConfig(name="phones", scope=SCOPES[7],
                    match_if=OptionValue("dhcp", "vendor-class-identifier", 60))
PEER = FailoverPeerConfig(name="fo", split=128, mclt=1800, referring_pools=(0,))


def config(**changes: object) -> DhcpConfig:
    fields: dict[str, object] = {
        "scopes": SCOPES,
        "shared_networks": (
            SharedNetworkConfig(name="campus", scope=SCOPES[2], subnets=(LAN, LAB),
                                pools=(POOL,)),
            SharedNetworkConfig(name="192.168.0.0/16", implicit=True, scope=SCOPES[8],
                                subnets=(WIDE,)),
        ),
        "hosts": (HOST_A, HOST_B),
        "classes": (CLASS,),
        "failover_peers": (PEER,),
    }
    fields.update(changes)
    return DhcpConfig(**fields)  # type: ignore[arg-type]


def test_the_most_specific_scope_wins() -> None:
    c = config()
    assert c.effective_parameters().max_lease_time == 1000
    assert c.effective_parameters(subnet=LAB).max_lease_time == 3000
    assert c.effective_parameters(subnet=LAN).max_lease_time == 4000
    assert c.effective_parameters(subnet=LAN, pool=POOL).max_lease_time == 5000
    assert c.effective_parameters(subnet=LAN, pool=POOL, classes=[CLASS]).max_lease_time == 6000
    assert c.effective_parameters(
        subnet=LAN, pool=POOL, classes=[CLASS], host=HOST_A
    ).max_lease_time == 7000


def test_the_group_of_a_host_runs_when_the_lease_is_elsewhere() -> None:
    # The host's group "office" sets 2000; for a lease on the implicit network the
    # group is not in the subnet's chain, so it runs with the host.
    bare_host_scope = Scope(id=9, kind="host", parent=1)
    c = config(scopes=(*SCOPES, bare_host_scope))
    host = HostConfig(name="bare", scope=bare_host_scope)
    assert c.effective_parameters(subnet=WIDE, host=host).max_lease_time == 2000
    # In the campus subnet the group already ran in the subnet's chain: the subnet's
    # own value stays.
    assert c.effective_parameters(subnet=LAN, host=host).max_lease_time == 4000


def test_authoritative_comes_from_the_subnet() -> None:
    c = config()
    assert c.effective_parameters(subnet=LAN, pool=POOL).authoritative is True
    assert c.effective_parameters(subnet=LAB).authoritative is False


def test_effective_options_follow_the_same_precedence() -> None:
    c = config()
    assert c.effective_options(subnet=LAN)[("dhcp", 6)].text == "10.0.0.251"
    assert c.effective_options(subnet=LAN, pool=POOL)[("dhcp", 6)].text == "10.0.0.254"


def test_addresses_map_to_subnets_shared_networks_and_pools() -> None:
    c = config()
    assert c.subnet_for_address(IP("10.0.1.7")) == LAB
    assert c.shared_network_for_address(IP("10.0.1.7")).name == "campus"
    assert c.shared_network_for_address(IP("192.168.3.3")).implicit
    assert c.subnet_for_address(IP("172.16.0.1")) is None
    assert c.shared_network_for_address(IP("172.16.0.1")) is None
    assert c.pool_for_address(IP("10.0.0.100")) == POOL
    assert c.pool_for_address(IP("10.0.0.99")) is None


def test_dhcpd_searches_overlapping_subnets_in_its_own_order() -> None:
    wide, narrow = NET("10.0.0.0/16"), NET("10.0.0.0/24")
    # A narrower subnet declared later goes before the wider one...
    assert isc_subnet_search_order([wide, narrow]) == [1, 0]
    # ...but a wider subnet declared later is pushed in front of it.
    assert isc_subnet_search_order([narrow, wide]) == [1, 0]
    # Unrelated subnets: the newest first, as dhcpd pushes at the front.
    assert isc_subnet_search_order([narrow, NET("10.1.0.0/24"), NET("10.2.0.0/24")]) == [2, 1, 0]
    assert isc_subnet_search_order([NET("10.1.0.0/24"), wide, narrow]) == [2, 1, 0]


def test_a_wider_subnet_declared_later_captures_the_address() -> None:
    wide_scope = Scope(id=9, kind="subnet", parent=0)
    big = SubnetConfig(id=1, network=NET("10.0.0.0/16"), shared_network="big", scope=wide_scope)
    c = config(
        scopes=(*SCOPES, wide_scope),
        shared_networks=(
            SharedNetworkConfig(name="campus", scope=SCOPES[2], subnets=(LAN,), pools=(POOL,)),
            SharedNetworkConfig(name="big", implicit=True, scope=wide_scope, subnets=(big,)),
        ),
    )
    assert c.subnet_for_address(IP("10.0.0.5")) == big


def test_pools_are_listed_per_shared_network() -> None:
    c = config()
    assert c.pools_for_shared_network("campus") == (POOL,)
    assert c.pools_for_shared_network("192.168.0.0/16") == ()
    assert c.pools_for_shared_network("nowhere") == ()
    assert c.pools == (POOL,)


def test_hosts_by_hardware_keep_declaration_order() -> None:
    c = config()
    assert c.hosts_by_hardware(1, MAC_A) == (HOST_A, HOST_B)
    assert c.host_by_hardware(1, MAC_A) == HOST_A
    assert c.host_by_hardware(6, MAC_A) is None
    assert c.host_by_client_id(b"ws1") == HOST_B
    assert c.hosts_by_client_id(b"nobody") == ()
    assert c.host_by_client_id(b"nobody") is None


def test_hosts_by_host_identifier_option() -> None:
    tagged = HostConfig(name="relay-port-7", scope=SCOPES[6], host_identifier=HostIdentifier(
        option="agent.circuit-id", value=b"port-7"))
    c = config(hosts=(HOST_A, tagged))
    assert c.host_by_identifier("agent.circuit-id", b"port-7") == tagged
    assert c.host_by_identifier("agent.circuit-id", b"port-8") is None
    assert c.host_by_identifier("agent.remote-id", b"port-7") is None


def test_lookups_by_name() -> None:
    c = config()
    assert c.failover_peer("fo") == PEER and c.failover_peer("x") is None
    assert c.class_by_name("phones") == CLASS and c.class_by_name("x") is None
    assert c.shared_network("x") is None
    assert [s.id for s in c.scope_chain(6)] == [0, 1, 6]
    assert c.scope(3) is SCOPES[3]


@pytest.mark.parametrize(
    "changes",
    [
        {"scopes": (Scope(id=0, kind="group", parent=None),)},
        {"scopes": (SCOPES[0], Scope(id=2, kind="group", parent=0))},
        {"scopes": (SCOPES[0], Scope(id=1, kind="group", parent=None))},
        {"scopes": (SCOPES[0], Scope(id=1, kind="group", parent=1))},
        {"failover_peers": ()},
        {"failover_peers": (PEER.model_copy(update={"referring_pools": ()}),)},
        {"hosts": (HOST_A, HOST_A)},
        {"shared_networks": (SharedNetworkConfig(
            name="campus", scope=SCOPES[2], subnets=(LAB, LAN), pools=(POOL,)),)},
    ],
)
def test_inconsistent_models_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        config(**changes)


def test_pool_ids_must_number_the_pools() -> None:
    with pytest.raises(ValidationError):
        config(shared_networks=(SharedNetworkConfig(
            name="campus", scope=SCOPES[2], subnets=(LAN,),
            pools=(POOL.model_copy(update={"id": 3}),),
        ),), failover_peers=(PEER.model_copy(update={"referring_pools": (3,)}),))


def test_the_model_is_frozen_and_dumps_to_json() -> None:
    c = config(classes=(CLASS.model_copy(update={"match": ConstData(b"x")}),))
    with pytest.raises(ValidationError):
        c.files = ("other",)
    dumped = json.loads(c.model_dump_json())
    assert dumped["classes"][0]["match"] == '"x"'
    assert dumped["classes"][0]["match_if"] == "option vendor-class-identifier"
    assert dumped["failover_peers"][0]["hba"] == "ff" * 16 + "00" * 16


def test_a_lease_belongs_to_the_subnet_its_range_was_declared_in() -> None:
    c = config()
    assert c.subnet_for_lease(IP("10.0.0.100")) == LAN
    assert c.subnet_for_lease(IP("10.0.0.5")) is None


def test_a_range_must_name_a_subnet_of_its_own_network() -> None:
    stray = POOL.model_copy(update={"ranges": (AddressRange(
        low=IP("10.0.0.100"), high=IP("10.0.0.250"), subnet_id=2, subnet=WIDE.network),)})
    with pytest.raises(ValidationError):
        config(shared_networks=(
            SharedNetworkConfig(name="campus", scope=SCOPES[2], subnets=(LAN, LAB),
                                pools=(stray,)),
            SharedNetworkConfig(name="192.168.0.0/16", implicit=True, scope=SCOPES[8],
                                subnets=(WIDE,)),
        ))


def _pool(pool_id: int, *spans: tuple[str, str]) -> PoolConfig:
    return PoolConfig(id=pool_id, shared_network="campus", scope=SCOPES[5], ranges=tuple(
        AddressRange(low=IP(low), high=IP(high), subnet_id=0, subnet=LAN.network)
        for low, high in spans
    ))


def _campus(*pools: PoolConfig) -> DhcpConfig:
    return config(failover_peers=(), shared_networks=(
        SharedNetworkConfig(name="campus", scope=SCOPES[2], subnets=(LAN, LAB), pools=pools),
        SharedNetworkConfig(name="192.168.0.0/16", implicit=True, scope=SCOPES[8],
                            subnets=(WIDE,)),
    ))


def test_the_pool_of_an_address_is_found_among_many_ranges() -> None:
    first = _pool(0, ("10.0.0.200", "10.0.0.250"), ("10.0.0.10", "10.0.0.20"))
    second = _pool(1, ("10.0.0.30", "10.0.0.30"), ("10.0.0.100", "10.0.0.150"))
    c = _campus(first, second)
    assert c.pool_for_address(IP("10.0.0.10")) == first
    assert c.pool_for_address(IP("10.0.0.20")) == first
    assert c.pool_for_address(IP("10.0.0.250")) == first
    assert c.pool_for_address(IP("10.0.0.30")) == second
    assert c.pool_for_address(IP("10.0.0.150")) == second
    for outside in ("10.0.0.9", "10.0.0.21", "10.0.0.29", "10.0.0.31", "10.0.0.251", "1.1.1.1"):
        assert c.pool_for_address(IP(outside)) is None
        assert c.subnet_for_lease(IP(outside)) is None
    assert c.subnet_for_lease(IP("10.0.0.120")) == LAN


def test_overlapping_ranges_give_the_first_declared_pool() -> None:
    wide, inner = _pool(0, ("10.0.0.10", "10.0.0.90")), _pool(1, ("10.0.0.20", "10.0.0.30"))
    c = _campus(wide, inner)
    assert c.pool_for_address(IP("10.0.0.25")) == wide
    assert c.pool_for_address(IP("10.0.0.50")) == wide
    assert c.pool_for_address(IP("10.0.0.91")) is None
