"""Ranges, pools, hosts and classes as validated values."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from domain.config.declarations import (
    AddressRange,
    ClassConfig,
    HardwareAddress,
    HostConfig,
    PoolConfig,
    SubnetConfig,
)
from domain.config.permits import PoolPermit
from domain.config.scopes import Scope

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network("10.0.0.0/24")
SCOPE = Scope(id=1, kind="pool", parent=0)


def address_range(low: str, high: str, subnet: ipaddress.IPv4Network = NET) -> AddressRange:
    return AddressRange(low=IP(low), high=IP(high), subnet_id=0, subnet=subnet)


def test_a_range_knows_its_addresses_and_size() -> None:
    span = address_range("10.0.0.100", "10.0.0.250")
    assert span.size == 151
    assert IP("10.0.0.100") in span and IP("10.0.0.250") in span
    assert IP("10.0.0.99") not in span and "10.0.0.100" not in span


def test_a_range_must_be_ascending() -> None:
    with pytest.raises(ValidationError):
        address_range("10.0.0.250", "10.0.0.100")


def test_subnet_membership_follows_the_written_mask() -> None:
    plain = SubnetConfig(id=0, network=NET, shared_network="n", scope=SCOPE)
    assert plain.contains(IP("10.0.0.7")) and not plain.contains(IP("10.0.1.7"))
    # 255.0.255.0: the second octet is free, the third must match.
    odd = SubnetConfig(id=1, network=ipaddress.IPv4Network("10.0.0.0/24"), shared_network="n",
                       scope=SCOPE, netmask=IP("255.0.255.0"))
    assert odd.contains(IP("10.77.0.9"))
    assert not odd.contains(IP("10.0.1.9"))


def test_a_pool_spans_all_its_ranges_and_applies_its_permits() -> None:
    pool = PoolConfig(
        id=0, shared_network="lan", scope=SCOPE,
        ranges=(address_range("10.0.0.5", "10.0.0.9"), address_range("10.0.0.20", "10.0.0.20")),
        prohibit_list=(PoolPermit(kind="unknown-clients"),),
    )
    assert pool.size == 6
    assert IP("10.0.0.20") in pool and IP("10.0.0.10") not in pool
    assert pool.admits(known=True, bootp=False, classes=(), now=0)
    assert not pool.admits(known=False, bootp=False, classes=(), now=0)


def test_hardware_addresses_print_like_dhcpd_conf() -> None:
    assert str(HardwareAddress(htype=1, address=bytes.fromhex("00163e100001"))) == (
        "ethernet 00:16:3e:10:00:01"
    )
    assert str(HardwareAddress(htype=99, address=b"\x01")) == "type-99 01"


def test_fixed_addresses_written_as_names_need_a_resolver() -> None:
    host = HostConfig(
        name="printer", scope=Scope(id=2, kind="host", parent=0),
        fixed_addresses=("10.0.0.20", "printer.example.com"),
    )
    assert host.fixed_ipv4_addresses() == (IP("10.0.0.20"),)


def test_a_class_finds_its_subclass_by_match_value() -> None:
    sub = ClassConfig(
        name="vendor", scope=Scope(id=4, kind="class", parent=3), superclass="vendor",
        hash_key=b"MSFT 5.0",
    )
    parent = ClassConfig(name="vendor", scope=Scope(id=3, kind="class", parent=0),
                         subclasses=(sub,))
    assert parent.subclass_by_key(b"MSFT 5.0") is sub
    assert parent.subclass_by_key(b"other") is None
    assert sub.is_subclass and not parent.is_subclass
