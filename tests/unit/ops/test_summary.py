"""The administrator's summary: sections, aligned values, permits in dhcpd.conf words."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.declarations import (
    AddressRange,
    ClassConfig,
    HardwareAddress,
    HostConfig,
    PoolConfig,
    SharedNetworkConfig,
    SubnetConfig,
)
from domain.config.expressions import ConstData, Known
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import DhcpConfig
from domain.config.option_settings import OptionSetting
from domain.config.parameters import ServerParameters
from domain.config.permits import PoolPermit
from domain.config.scopes import Scope
from domain.config.statements import DbTimeFormatStatement, IfStatement, OptionStatement
from ops.summary import LABEL_WIDTH, render_summary

REPO_ROOT = Path(__file__).resolve().parents[3]
IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network("10.0.0.0/24")


def setting(name: str, text: str, space: str = "dhcp", op: str = "supersede") -> OptionSetting:
    return OptionSetting(op=op, space=space, name=name, code=1, value=b"", text=text)


ROUTERS = OptionStatement(op="supersede", universe="dhcp", name="routers", code=3, format="IA",
                          value=ConstData(bytes([10, 0, 0, 1])), text="10.0.0.1")
ROOT = Scope(id=0, kind="global", parent=None, authoritative=True, options=(
    setting("domain-name", '"digitalairlines.com"'),
    setting("ddns-update-style", "none", space="server"),
    setting("max-lease-time", "14400", space="server"),
))
SUBNET_SCOPE = Scope(id=1, kind="subnet", parent=0, authoritative=True,
                     options=(setting("routers", "10.0.0.1"),),
                     statements=(ROUTERS, DbTimeFormatStatement(local=True),
                                 IfStatement(condition=Known(), then=())))
KNOWN_SCOPE = Scope(id=2, kind="pool", parent=1, options=(
    setting("domain-name-servers", "10.0.0.251, 10.0.0.252"),
    setting("circuit-id", '"x"', space="agent", op="default"),
))
GUEST_SCOPE = Scope(id=3, kind="pool", parent=1)
HOST_SCOPE = Scope(id=4, kind="host", parent=0)
CLASS_SCOPE = Scope(id=5, kind="class", parent=0)


def example() -> DhcpConfig:
    subnet = SubnetConfig(id=0, network=NET, shared_network="10.0.0.0/24", scope=SUBNET_SCOPE,
                          parameters=ServerParameters(authoritative=True, max_lease_time=14400))
    known = PoolConfig(
        id=0, shared_network="10.0.0.0/24", scope=KNOWN_SCOPE,
        ranges=(AddressRange(low=IP("10.0.0.5"), high=IP("10.0.0.99"), subnet_id=0, subnet=NET),),
        prohibit_list=(PoolPermit(kind="unknown-clients"),),
        parameters=ServerParameters(max_lease_time=28800, default_lease_time=3600),
        valid_until=1767225600,
    )
    guests = PoolConfig(
        id=1, shared_network="10.0.0.0/24", scope=GUEST_SCOPE, failover_peer="dhcp-failover",
        ranges=(AddressRange(low=IP("10.0.0.100"), high=IP("10.0.0.250"), subnet_id=0,
                             subnet=NET),),
        permit_list=(PoolPermit(kind="unknown-clients"),),
        prohibit_list=(PoolPermit(kind="dynamic-bootp-clients"),),
        parameters=ServerParameters(max_lease_time=300),
    )
    return DhcpConfig(
        scopes=(ROOT, SUBNET_SCOPE, KNOWN_SCOPE, GUEST_SCOPE, HOST_SCOPE, CLASS_SCOPE),
        shared_networks=(SharedNetworkConfig(
            name="10.0.0.0/24", implicit=True, scope=SUBNET_SCOPE, subnets=(subnet,),
            pools=(known, guests),
        ),),
        hosts=(
            HostConfig(name="ws1", scope=HOST_SCOPE,
                       hardware=HardwareAddress(htype=1, address=b"\x00\x16>\x00\x00\x01")),
            HostConfig(name="printer", scope=HOST_SCOPE, client_identifier=b"p",
                       fixed_addresses=("10.0.0.20",)),
        ),
        classes=(ClassConfig(name="phones", scope=CLASS_SCOPE, match=Known(), spawn=True,
                             lease_limit=2),),
        failover_peers=(FailoverPeerConfig(
            name="dhcp-failover", address="10.0.0.10", port=847, peer_address="10.0.0.12",
            max_response_delay=30, max_unacked_updates=10, mclt=1800, split=128,
            load_balance_max_seconds=3, referring_pools=(1,),
        ),),
        global_parameters=ServerParameters(authoritative=True, max_lease_time=14400),
        files=("primary.conf", "dhcpd.master"),
    )


def section(text: str, title: str) -> list[str]:
    """The lines of one section (up to the next blank line)."""
    lines = text.splitlines()
    start = lines.index(title)
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_pools_show_ranges_permits_and_effective_lease_times() -> None:
    text = render_summary(example())
    network = section(text, "Shared network 10.0.0.0/24 (implicit, one subnet)")
    joined = "\n".join(network)
    assert "10.0.0.5 - 10.0.0.99 (95 addresses)" in joined
    assert "deny unknown-clients" in joined
    assert "allow unknown-clients" in joined and "deny dynamic bootp clients" in joined
    assert "default 3600 s (1 h), max 28800 s (8 h), min 300 s (5 min)" in joined
    assert "max 300 s (5 min)" in joined
    assert "    valid until         2026-01-01 00:00:00 UTC" in joined
    assert '    failover peer       "dhcp-failover" (primary)' in joined


def test_options_are_listed_per_scope_apart_from_parameters() -> None:
    text = render_summary(example())
    glob = "\n".join(section(text, "Global"))
    assert '  options               domain-name "digitalairlines.com"' in glob
    assert "  parameters            ddns-update-style none" in glob
    # Lease times are shown resolved, not repeated as parameters.
    assert "max-lease-time" not in glob
    network = "\n".join(section(text, "Shared network 10.0.0.0/24 (implicit, one subnet)"))
    assert "domain-name-servers 10.0.0.251, 10.0.0.252" in network
    assert 'default agent.circuit-id "x"' in network
    # The `if` counts; the constant option and db-time-format (read-time) do not.
    assert "1 statement(s) evaluated per request" in network


def test_failover_peer_section() -> None:
    peer = section(render_summary(example()), 'Failover peer "dhcp-failover"')
    assert peer[1:] == [
        "  role                  primary",
        "  this server           10.0.0.10 port 847",
        "  peer                  10.0.0.12 port 647",
        "  max-response-delay    30 s",
        "  max-unacked-updates   10",
        "  mclt                  1800 s (30 min)",
        "  split                 128 (primary serves 128 of 256 buckets)",
        "  load balancing        max seconds 3",
        "  pools                 pool 1 in 10.0.0.0/24 (10.0.0.100-10.0.0.250)",
    ]


def test_a_secondary_learns_the_mclt_and_a_peer_without_pools_is_flagged() -> None:
    config = example()
    secondary = FailoverPeerConfig(name="other", role="secondary", peer_address="10.0.0.10")
    text = render_summary(config.model_copy(update={"failover_peers": (secondary,)}))
    peer = "\n".join(section(text, 'Failover peer "other"'))
    assert "  mclt                  learned from the primary" in peer
    assert "  load balancing        off" in peer
    assert "none (dhcpd refuses a peer no pool refers to)" in peer


def test_hosts_are_counted_and_classes_described() -> None:
    text = render_summary(example())
    assert ("Hosts                   2 (1 by hardware address, 1 by client identifier, "
            "1 with a fixed address)") in text
    assert 'Classes                 "phones" (spawn with known, lease limit 2)' in text


def test_values_line_up_in_one_column() -> None:
    rows = 0
    for line in render_summary(example()).splitlines():
        labelled = "  " in line.lstrip()
        continued = line.startswith(" " * LABEL_WIDTH)
        if labelled or continued:
            rows += 1
            assert line[LABEL_WIDTH - 1] == " " and line[LABEL_WIDTH] != " ", line
    assert rows > 20


def test_an_empty_configuration_still_reads_well() -> None:
    text = render_summary(DhcpConfig(scopes=(Scope(id=0, kind="global", parent=None),)))
    assert text.splitlines()[0] == "Global"
    assert "Hosts                   none" in text and "Classes                 none" in text


def test_lease_file_formats_are_shown_when_not_the_default() -> None:
    assert "lease file" not in render_summary(example())
    text = render_summary(example().model_copy(update={"lease_id_format": "hex"}))
    assert "  lease file            db-time-format default, lease-id-format hex" in text


def test_allow_deny_flags_read_as_written() -> None:
    flags = tuple(
        OptionSetting(op="supersede", space="server", name=name, code=code,
                      value=bytes([byte]), text="x")
        for name, code, byte in (("boot-unknown-clients", 6, 0), ("declines", 29, 2),
                                 ("allow-bootp", 8, 1))
    )
    config = DhcpConfig(scopes=(Scope(id=0, kind="global", parent=None, options=flags),))
    glob = section(render_summary(config), "Global")
    assert glob[3:6] == [
        "  parameters            deny unknown-clients",
        "                        ignore declines",
        "                        allow bootp",
    ]


def test_the_known_unknown_example_as_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    result = read_config("ops/examples/known-unknown/dhcpd.conf")
    assert result.ok
    lines = render_summary(build_config(result.tree)).splitlines()
    first, second = lines.index("  Pool 0"), lines.index("  Pool 1")
    assert lines[first + 1:second] == [
        "    ranges              10.0.0.5 - 10.0.0.99 (95 addresses)",
        "    permits             deny unknown-clients",
        "    lease times         default 3600 s (1 h), max 28800 s (8 h), min 300 s (5 min)",
        "    options             domain-name-servers 10.0.0.251, 10.0.0.252",
    ]
    assert lines[second + 1:lines.index("", second)] == [
        "    ranges              10.0.0.100 - 10.0.0.250 (151 addresses)",
        "    permits             allow unknown-clients",
        "    lease times         default 3600 s (1 h) capped to max, max 300 s (5 min), "
        "min 300 s (5 min)",
        "    options             domain-name-servers 10.0.0.254",
    ]
