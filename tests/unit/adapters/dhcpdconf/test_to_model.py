"""The tree → model translation, on trees built by hand the way the parser builds them."""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from adapters.dhcpdconf import tree as t
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config, option_setting
from domain.config.expressions import Concat, ConstData, OptionValue
from domain.config.model import ConfigModelError, DhcpConfig
from domain.config.statements import DbTimeFormatStatement, IfStatement, OptionStatement

REPO_ROOT = Path(__file__).resolve().parents[4]
IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network
HERE = t.Where("dhcpd.conf", 1)


def option(name: str, code: int, value: bytes, text: str, universe: str = "dhcp",
           fmt: str = "IA", op: str = "supersede") -> OptionStatement:
    return OptionStatement(op=op, universe=universe, name=name, code=code, format=fmt,
                           value=ConstData(value), text=text)


def seconds(name: str, code: int, value: int) -> OptionStatement:
    return option(name, code, value.to_bytes(4, "big"), str(value), universe="server", fmt="T")


def lone_subnet(tree: t.ConfTree, cidr: str, *statements: object) -> t.SharedNetwork:
    """A subnet outside any shared-network: it and its implicit shared network share
    one scope, as in dhcpd."""
    group = t.Group.child_of(tree.root, "subnet", HERE)
    group.statements.extend(statements)
    network = t.SharedNetwork(name=cidr, group=group, where=HERE, implicit=True)
    network.subnets.append(t.Subnet(NET(cidr), group, network, HERE))
    tree.shared_networks.append(network)
    return network


def add_pool(network: t.SharedNetwork, low: str, high: str, *statements: object,
             **fields: object) -> t.Pool:
    group = t.Group.child_of(network.group, "pool", HERE)
    group.statements.extend(statements)
    pool = t.Pool(group=group, shared_network=network, where=HERE, **fields)  # type: ignore[arg-type]
    pool.ranges.append(t.Range(IP(low), IP(high), dynamic_bootp=False, where=HERE))
    network.pools.append(pool)
    return pool


def new_tree(*statements: object) -> t.ConfTree:
    tree = t.ConfTree(root=t.Group(kind="global", parent=None))
    tree.root.statements.extend(statements)
    return tree


def test_option_statements_become_settings_with_bytes_and_text() -> None:
    dns = option("domain-name-servers", 6, bytes([10, 0, 0, 251, 10, 0, 0, 252]),
                 "10.0.0.251, 10.0.0.252")
    computed = OptionStatement(op="default", universe="dhcp", name="host-name", code=12,
                               format="t", value=OptionValue("dhcp", "host-name", 12),
                               text="option host-name")
    search = option("domain-search", 119, b"\x07example\x00", '"example"', fmt="Dc")
    assert option_setting(dns).value == bytes([10, 0, 0, 251, 10, 0, 0, 252])
    assert option_setting(dns).text == "10.0.0.251, 10.0.0.252"
    assert option_setting(computed).value is None and option_setting(computed).op == "default"
    assert option_setting(search).compressed_list
    joined = OptionStatement(op="supersede", universe="dhcp", name="x", code=200, format="X",
                             value=Concat(ConstData(b"a"), ConstData(b"b")), text='"ab"')
    assert option_setting(joined).value == b"ab"


def test_a_lone_subnet_shares_its_scope_with_its_implicit_network() -> None:
    tree = new_tree(seconds("max-lease-time", 2, 7200))
    network = lone_subnet(tree, "10.0.0.0/24", seconds("default-lease-time", 1, 600))
    add_pool(network, "10.0.0.250", "10.0.0.100", seconds("max-lease-time", 2, 300))
    config = build_config(tree)
    [shared] = config.shared_networks
    assert shared.implicit and shared.name == "10.0.0.0/24"
    assert shared.scope is shared.subnets[0].scope
    subnet, pool = shared.subnets[0], shared.pools[0]
    assert (subnet.parameters.default_lease_time, subnet.parameters.max_lease_time) == (600, 7200)
    assert (pool.parameters.default_lease_time, pool.parameters.max_lease_time) == (600, 300)
    # The range was written high-to-low; the model keeps it ascending.
    assert (pool.ranges[0].low, pool.ranges[0].high) == (IP("10.0.0.100"), IP("10.0.0.250"))
    assert pool.ranges[0].subnet == NET("10.0.0.0/24")


def test_parents_are_numbered_before_children() -> None:
    tree = new_tree()
    group = t.Group.child_of(tree.root, "group", HERE)
    shared_group = t.Group.child_of(group, "shared-network", HERE, name="campus")
    network = t.SharedNetwork(name="campus", group=shared_group, where=HERE)
    subnet_group = t.Group.child_of(shared_group, "subnet", HERE)
    network.subnets.append(t.Subnet(NET("10.0.0.0/24"), subnet_group, network, HERE))
    tree.shared_networks.append(network)
    add_pool(network, "10.0.0.10", "10.0.0.20")
    config = build_config(tree)
    assert [s.kind for s in config.scopes] == [
        "global", "group", "shared-network", "subnet", "pool"
    ]
    assert all(s.parent is None or s.parent < s.id for s in config.scopes)
    pool = config.pools[0]
    assert config.scope(pool.scope.parent).name == "campus"


def test_conditional_statements_are_kept_for_request_time() -> None:
    condition = IfStatement(condition=OptionValue("dhcp", "user-class", 77), then=())
    router = option("routers", 3, bytes([10, 0, 0, 1]), "10.0.0.1")
    tree = new_tree(router, condition)
    root = build_config(tree).scopes[0]
    assert root.statements == (router, condition)
    assert [o.name for o in root.options] == ["routers"]
    assert root.runtime_statements == (condition,)


def test_global_parameters_come_from_the_global_scope_only() -> None:
    lease_file = option("lease-file-name", 26, b"/tmp/x.leases", '"/tmp/x.leases"',
                        universe="server", fmt="t")
    tree = new_tree(lease_file, seconds("max-lease-time", 2, 900))
    lone_subnet(tree, "10.0.0.0/24", seconds("max-lease-time", 2, 60))
    config = build_config(tree)
    assert config.global_parameters.lease_file_name == "/tmp/x.leases"
    assert config.global_parameters.max_lease_time == 900


def test_the_last_db_time_format_read_wins() -> None:
    tree = new_tree(DbTimeFormatStatement(local=True))
    assert build_config(tree).db_time_format == "local"
    lone_subnet(tree, "10.0.0.0/24", DbTimeFormatStatement(local=False))
    assert build_config(tree).db_time_format == "default"
    assert build_config(new_tree()).db_time_format == "default"


def test_hosts_keep_their_identity_and_named_group() -> None:
    tree = new_tree()
    named = t.Group.child_of(tree.root, "group", HERE, name="printers")
    named.statements.append(seconds("max-lease-time", 2, 111))
    tree.named_groups["printers"] = named
    host_group = t.Group.child_of(tree.root, "host", HERE, name="p1")
    host_group.statements.append(option("dhcp-client-identifier", 61, b"\x01abc", '"\\001abc"',
                                        fmt="X"))
    tree.hosts["p1"] = t.Host(
        name="p1", group=host_group, where=HERE, hardware=(1, bytes.fromhex("00163e000001")),
        fixed_addresses=["10.0.0.20", "p1.example.com"], named_group="printers",
        host_identifier=("dhcp-client-identifier", b"x"),
    )
    config = build_config(tree)
    host = config.host_by_hardware(1, bytes.fromhex("00163e000001"))
    assert host is not None and host.name == "p1"
    assert host.fixed_addresses == ("10.0.0.20", "p1.example.com")
    assert host.host_identifier is not None and host.host_identifier.value == b"x"
    # The client id set by an option statement indexes the host too (enter_host).
    assert config.host_by_client_id(b"\x01abc") == host
    # The host inherits from its named group, not from where it was written.
    assert config.scope(host.scope.parent).name == "printers"
    assert config.effective_parameters(host=host).max_lease_time == 111


def test_an_explicit_client_id_wins_over_the_option_statement() -> None:
    tree = new_tree()
    group = t.Group.child_of(tree.root, "host", HERE, name="h")
    group.statements.append(option("dhcp-client-identifier", 61, b"stmt", '"stmt"', fmt="X"))
    tree.hosts["h"] = t.Host(name="h", group=group, where=HERE, client_identifier=b"uid")
    config = build_config(tree)
    assert config.host_by_client_id(b"uid") is not None
    assert config.host_by_client_id(b"stmt") is None


def test_classes_keep_expressions_and_subclasses() -> None:
    tree = new_tree()
    match = OptionValue("dhcp", "vendor-class-identifier", 60)
    vendor = t.ClientClass(name="vendor", group=t.Group.child_of(tree.root, "class", HERE),
                           where=HERE, match=match, spawn=True, lease_limit=4)
    sub_group = t.Group.child_of(vendor.group, "class", HERE)
    vendor.subclasses[b"MSFT"] = t.ClientClass(
        name="vendor", group=sub_group, where=HERE, superclass="vendor", hash_key=b"MSFT"
    )
    tree.classes["vendor"] = vendor
    [built] = build_config(tree).classes
    assert built.match is match and built.spawn and built.lease_limit == 4
    assert built.subclass_by_key(b"MSFT") is not None
    assert built.subclasses[0].scope.parent == built.scope.id


def test_pools_permits_and_failover_peers() -> None:
    tree = new_tree()
    network = lone_subnet(tree, "10.0.0.0/24")
    add_pool(network, "10.0.0.5", "10.0.0.99",
             prohibit_list=[t.Permit("unknown-clients")])
    add_pool(network, "10.0.0.100", "10.0.0.250", failover_peer="dhcp-failover",
             permit_list=[t.Permit("class", class_name="voip")],
             prohibit_list=[t.Permit("dynamic-bootp-clients")])
    tree.failover_peers["dhcp-failover"] = t.FailoverPeer(
        name="dhcp-failover", where=HERE, address="10.0.0.10", port=847,
        peer_address="10.0.0.12", mclt=1800, split=128, load_balance_max_seconds=3,
    )
    config = build_config(tree)
    first, second = config.pools
    assert (first.id, second.id) == (0, 1)
    assert [p.describe() for p in first.prohibit_list] == ["unknown-clients"]
    assert [p.describe() for p in second.permit_list] == ['members of "voip"']
    [peer] = config.failover_peers
    assert peer.referring_pools == (1,)
    assert peer.hba == b"\xff" * 16 + bytes(16)
    assert (peer.port, peer.peer_port, peer.max_response_delay) == (847, 647, 20)


def test_an_inconsistent_tree_raises_our_error() -> None:
    tree = new_tree()
    network = lone_subnet(tree, "10.0.0.0/24")
    add_pool(network, "10.0.1.5", "10.0.1.9")
    with pytest.raises(ConfigModelError, match="is on no subnet"):
        build_config(tree)
    tree = new_tree()
    add_pool(lone_subnet(tree, "10.0.0.0/24"), "10.0.0.5", "10.0.0.9", failover_peer="ghost")
    with pytest.raises(ConfigModelError, match="unknown failover peer"):
        build_config(tree)


def test_a_subnet_declared_twice_keeps_each_range_with_its_own_declaration() -> None:
    # dhcpd accepts the same subnet twice; address lookups find the later one, but
    # a range's leases stay with the subnet the range was written in.
    tree = new_tree()
    first = lone_subnet(tree, "192.168.247.0/24", seconds("max-lease-time", 2, 100))
    add_pool(first, "192.168.247.140", "192.168.247.150")
    lone_subnet(tree, "192.168.247.0/24", seconds("max-lease-time", 2, 200))
    config = build_config(tree)
    address = IP("192.168.247.140")
    assert [s.id for s in config.subnets] == [0, 1]
    assert config.subnet_for_address(address).id == 1
    assert config.subnet_for_lease(address).id == 0
    assert config.pools[0].parameters.max_lease_time == 100


# ---- the same translation on trees from the real parser ---------------------------------

PARSED = """\
db-time-format local;
lease-id-format hex;
ping-check false;
deny unknown-clients;
option domain-name-servers 10.0.0.251;

subnet 10.9.0.0 netmask 255.255.255.0 {
  range 10.9.0.10 10.9.0.20;
}

authoritative;

group printers {
  max-lease-time 111;
}

host p1 {
  group "printers";
  hardware ethernet 00:16:3e:00:00:01;
  option dhcp-client-identifier "p1";
  fixed-address 10.0.0.20;
}

class "phones" {
  match if substring(option vendor-class-identifier, 0, 4) = "SIP/";
  max-lease-time 222;
}

class "relays" {
  spawn with option agent.circuit-id;
  lease limit 2;
}
subclass "relays" "circuit-1";

shared-network campus {
  option routers 10.0.0.1;
  subnet 10.0.0.0 netmask 255.255.255.0 {
    default-lease-time 600;
  }
  subnet 10.0.1.0 netmask 255.255.255.0 {
    if option user-class = "kiosk" {
      option domain-name "kiosk.example";
    }
  }
  pool {
    allow members of "phones";
    max-lease-time 333;
    range 10.0.1.100 10.0.1.150;
  }
}
"""


def parsed(tmp_path: Path, text: str = PARSED) -> DhcpConfig:
    path = tmp_path / "dhcpd.conf"
    path.write_text(text)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


def test_parsed_global_settings(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    assert (config.db_time_format, config.lease_id_format) == ("local", "hex")
    params = config.global_parameters
    assert params.ping_check is False and params.boot_unknown_clients == "deny"
    assert params.authoritative is True


def test_parsed_authoritative_reaches_only_later_scopes(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    early = config.subnet_for_address(IP("10.9.0.10"))
    late = config.subnet_for_address(IP("10.0.1.7"))
    assert early is not None and not early.authoritative
    assert late is not None and late.authoritative


def test_parsed_precedence_from_global_to_host(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    subnet = config.subnet_for_lease(IP("10.0.1.100"))
    pool = config.pool_for_address(IP("10.0.1.100"))
    phones = config.class_by_name("phones")
    host = config.host_by_client_id(b"p1")
    assert subnet is not None and pool is not None and phones is not None and host is not None
    assert pool.parameters.max_lease_time == 333
    assert config.effective_parameters(subnet=subnet, pool=pool,
                                       classes=[phones]).max_lease_time == 222
    assert config.effective_parameters(subnet=subnet, pool=pool, classes=[phones],
                                       host=host).max_lease_time == 111
    options = config.effective_options(subnet=subnet, pool=pool)
    assert options[("dhcp", 3)].value == bytes([10, 0, 0, 1])
    assert options[("dhcp", 6)].text == "10.0.0.251"


def test_parsed_declarations(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    campus = config.shared_network("campus")
    assert campus is not None and not campus.implicit
    assert [str(s.network) for s in campus.subnets] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert campus.subnets[0].parameters.default_lease_time == 600
    [kiosk_if] = campus.subnets[1].scope.runtime_statements
    assert kiosk_if.kind == "if"
    [bare, phones_pool] = config.pools
    assert bare.implicit and [p.describe() for p in bare.prohibit_list] == [
        "dynamic bootp clients"
    ]
    assert [p.describe() for p in phones_pool.permit_list] == ['members of "phones"']
    host = config.host_by_hardware(1, bytes.fromhex("00163e000001"))
    assert host is not None and host.fixed_addresses == ("10.0.0.20",)
    assert config.scope(host.scope.parent).name == "printers"
    relays = config.class_by_name("relays")
    assert relays is not None and relays.spawn and relays.lease_limit == 2
    assert relays.subclass_by_key(b"circuit-1") is not None
    phones = config.class_by_name("phones")
    assert phones is not None and phones.match_if is not None and phones.match is None


def test_parsed_failover_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    result = read_config("ops/examples/failover/primary.conf")
    assert result.ok, result.output_lines()
    config = build_config(result.tree)
    [peer] = config.failover_peers
    assert (peer.role, peer.address, peer.port, peer.peer_address, peer.peer_port) == (
        "primary", "10.0.0.10", 847, "10.0.0.12", 647
    )
    assert (peer.max_response_delay, peer.max_unacked_updates, peer.mclt) == (30, 10, 1800)
    assert peer.split == 128 and peer.load_balance_max_seconds == 3
    assert peer.referring_pools == (0,)
    assert config.files == ("ops/examples/failover/primary.conf",
                            "ops/examples/failover/dhcpd.master")


# ---- every real configuration dhcpd accepts ---------------------------------------------

# CI checks the shared folder out beside the clone, as it sits beside /work/main here.
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "conf"


def accepted_corpus_files() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as rows:
        return [row["file"] for row in csv.DictReader(rows, delimiter="\t",
                                                       quoting=csv.QUOTE_NONE)
                if row["isc_verdict"] == "ok"]


def test_every_corpus_config_dhcpd_accepts_becomes_a_model(
    monkeypatch: pytest.MonkeyPatch, prerequisite_missing: Callable[[str], NoReturn]
) -> None:
    names = accepted_corpus_files()
    if not names:
        prerequisite_missing(f"the shared corpus is missing: no MANIFEST.tsv under {CORPUS}")
    monkeypatch.chdir(CORPUS)  # dhcpd's verdicts were made there (relative includes)
    for name in names:
        result = read_config(name)
        assert result.ok, (name, result.first_error())
        config = build_config(result.tree)
        assert config.files[0] == name
        for pool in config.pools:
            # A range's subnet is on the pool's own shared network (checked by the
            # model); its parameters are what the lease chain resolves to.
            subnet = config.subnet_for_lease(pool.ranges[0].low)
            assert config.effective_parameters(subnet=subnet, pool=pool) == pool.parameters
        config.model_dump_json()
