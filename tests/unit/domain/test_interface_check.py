"""check_interfaces(): dhcpd's choice of interfaces and its lines, against ISC's own
runs on the same interfaces (fixtures/interface_check/README.md says how)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import LogLevel
from domain.interface_check import (
    NO_INTERFACES,
    NetworkInterface,
    check_interfaces,
    name_too_long,
)

MakeConfig = Callable[[str], DhcpConfig]
FIXTURES = Path(__file__).parent / "fixtures" / "interface_check"


def up(name: str, *addresses: str) -> NetworkInterface:
    return NetworkInterface(name, tuple(map(ipaddress.IPv4Address, addresses)),
                            up=True, broadcast=True)


LOOPBACK = NetworkInterface("lo", (ipaddress.IPv4Address("127.0.0.1"),), up=True,
                            broadcast=False, loopback=True)
# The capture namespace, in its index order.
CAPTURED = (LOOPBACK, up("peth0"), up("eth0", "10.0.0.10"), up("pdum1"),
            up("dum1", "10.9.0.1"), up("pdum2"), up("dum2"), up("pdum3"),
            up("dum3", "10.0.0.33"))


def isc_lines(name: str) -> list[str]:
    return (FIXTURES / f"{name}.txt").read_text().splitlines()


def config(make_config: MakeConfig, name: str) -> DhcpConfig:
    return make_config((FIXTURES / name).read_text())


@pytest.mark.parametrize(("capture", "conf", "named", "served"), [
    ("named-eth0-dum1", "one-subnet.conf", ["eth0", "dum1"], ("eth0",)),
    ("named-eth0-nosuch", "one-subnet.conf", ["eth0", "nosuch"], ("eth0",)),
    ("named-nosuch", "one-subnet.conf", ["nosuch"], ()),
    ("named-dum2", "one-subnet.conf", ["dum2"], ()),
    ("named-lo", "one-subnet.conf", ["lo"], ()),
    ("named-eth0-dum1-shared", "shared-network.conf", ["eth0", "dum1"], ("dum1", "eth0")),
    ("all", "one-subnet.conf", [], ("dum3", "eth0")),
    ("all-no-subnet", "other-subnet.conf", [], ()),
    # `interface NAME;` in the configuration requests that interface: alone, only it
    # is served; its shared network is its own from the start.
    ("config-interface", "interface-statement.conf", [], ("dum3",)),
    ("config-interface-named-eth0", "interface-statement.conf", ["eth0"], ("dum3", "eth0")),
    ("config-interface-named-dum1", "interface-statement.conf", ["dum1"], ("dum3",)),
    ("config-interface-other", "interface-statement-other.conf", [], ("dum1",)),
])
def test_the_lines_and_the_choice_are_iscs(
    make_config: MakeConfig, capture: str, conf: str, named: list[str],
    served: tuple[str, ...],
) -> None:
    check = check_interfaces(config(make_config, conf), CAPTURED, named)

    assert [line.text for line in check.log] == isc_lines(capture)
    assert check.served == served
    assert check.fatal == (served == ())


def test_a_refusal_ends_with_an_info_blank_line_and_the_fatal_error(
    make_config: MakeConfig,
) -> None:
    check = check_interfaces(config(make_config, "other-subnet.conf"), CAPTURED, ["eth0"])

    assert check.fatal
    assert [(line.level, line.text) for line in check.log[-3:]] == [
        (LogLevel.ERROR, ""), (LogLevel.INFO, ""), (LogLevel.ERROR, NO_INTERFACES)]
    assert {line.level for line in check.log[:-2]} == {LogLevel.ERROR}


def test_down_interfaces_are_never_used_even_when_named(make_config: MakeConfig) -> None:
    down = NetworkInterface("eth1", (ipaddress.IPv4Address("10.0.0.20"),), up=False,
                            broadcast=True)
    conf = config(make_config, "one-subnet.conf")

    assert check_interfaces(conf, (down,), []).log[-1].text == NO_INTERFACES
    named = check_interfaces(conf, (down,), ["eth1"])
    assert "No subnet declaration for eth1 (no IPv4 addresses)." in [
        line.text for line in named.log]
    assert named.served == ()


def test_point_to_point_links_are_used_only_when_named(make_config: MakeConfig) -> None:
    tunnel = NetworkInterface("tun0", (ipaddress.IPv4Address("10.0.0.30"),), up=True,
                              broadcast=False, point_to_point=True)
    conf = config(make_config, "one-subnet.conf")

    assert check_interfaces(conf, (tunnel, up("eth0", "10.0.0.10")), []).served == ("eth0",)
    assert check_interfaces(conf, (tunnel,), ["tun0"]).served == ("tun0",)


def test_a_name_given_twice_is_served_once_and_the_other_entry_has_no_address(
    make_config: MakeConfig,
) -> None:
    check = check_interfaces(config(make_config, "one-subnet.conf"), CAPTURED,
                             ["eth0", "eth0"])

    assert check.served == ("eth0",)
    assert not check.fatal
    assert "No subnet declaration for eth0 (no IPv4 addresses)." in [
        line.text for line in check.log]


def test_an_interface_name_longer_than_the_kernel_allows_is_refused() -> None:
    assert name_too_long(["eth0", "a" * 15]) is None
    line = name_too_long(["eth0", "abcdefghijklmnopq", "b" * 20])
    assert line is not None
    assert (line.level, line.text) == (
        LogLevel.ERROR, "abcdefghijklmnopq: interface name too long (is 17)")


def test_a_secondary_address_on_a_declared_subnet_is_enough(make_config: MakeConfig) -> None:
    # dhcpd matches every address the kernel lists (getifaddrs), the primary first.
    conf = config(make_config, "one-subnet.conf")
    check = check_interfaces(conf, (up("eth0", "192.0.2.7", "10.0.0.10"),), [])
    assert check.served == ("eth0",) and check.log == ()
    missing = check_interfaces(conf, (up("eth0", "192.0.2.7", "198.51.100.1"),), [])
    assert "No subnet declaration for eth0 (192.0.2.7)." in [line.text for line in missing.log]


def test_a_secondary_address_can_make_two_interfaces_share_a_subnet(
    make_config: MakeConfig,
) -> None:
    conf = config(make_config, "one-subnet.conf")
    check = check_interfaces(conf, (up("eth0", "10.0.0.10"), up("eth1", "192.0.2.7",
                                                                  "10.0.0.11")), [])
    assert "Multiple interfaces match the same subnet: eth0 eth1" in [
        line.text for line in check.log]


TWO_NETWORKS = """
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.199; }
shared-network other { subnet 10.1.0.0 netmask 255.255.255.0 { } }
"""


def test_each_interface_is_attached_to_the_network_of_its_first_covered_address(
    make_config: MakeConfig,
) -> None:
    conf = make_config(TWO_NETWORKS)
    check = check_interfaces(conf, (up("eth0", "192.0.2.7", "10.1.0.5"),
                                    up("eth1", "10.0.0.10")), [])
    assert check.networks == {"eth0": "other", "eth1": conf.subnets[0].shared_network}
    assert check.served == ("eth1", "eth0")


def test_an_interface_on_two_shared_networks_is_fatal_as_in_dhcpd(
    make_config: MakeConfig,
) -> None:
    check = check_interfaces(make_config(TWO_NETWORKS),
                             (up("eth0", "10.0.0.10", "10.1.0.5"),), [])
    assert check.fatal and check.served == ()
    assert check.log[-1].text == "Interface eth0 matches multiple shared networks"
