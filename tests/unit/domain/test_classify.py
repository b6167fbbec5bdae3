"""Client classification and lease-limit billing, as dhcpd 4.4 does them.

The "observed" cases were captured from dhcpd 4.4.3-P1 with the harness described in
test_execute.py: every class logs a line from its scope, and dhcpd runs the matched
classes' scopes in reverse match order while answering, so the lines it printed give
the classes it matched, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.classify import (
    Billing,
    MatchedClass,
    bill,
    billing_class_of,
    classify,
    spawned_subclass,
)
from domain.config.model import DhcpConfig
from domain.dhcp_packet import DhcpPacket
from domain.eval_context import EvalContext
from domain.execute import LogLine, execute_scopes, startup_bindings
from domain.lease import BillingClass


def load(directory: Path, text: str) -> DhcpConfig:
    path = directory / "dhcpd.conf"
    path.write_text(text)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


def discover(mac: str, options: dict[int, bytes], **fields: object) -> DhcpPacket:
    values: dict[str, object] = dict(
        op=1, htype=1, hlen=6, hops=0, xid=0x1000, secs=0, flags=0x8000,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=bytes.fromhex(mac), options={53: b"\x01", **options},
    )
    values.update(fields)
    return DhcpPacket(**values)  # type: ignore[arg-type]


# ---- observed ---------------------------------------------------------------------------

CLASSES_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
class "c1" { match if substring(hardware, 1, 1) = 00; log(info, "in c1"); }
class "c2" { match if known; log(info, "in c2 known"); }
class "c3" { match if exists host-name; log(info, "in c3 hostname"); }
class "perrelay" { spawn with option agent.circuit-id; lease limit 1; log(info, concat("in perrelay ", option agent.circuit-id)); }
class "vendor" { match option vendor-class-identifier; log(info, "in vendor super"); }
subclass "vendor" "abc" { log(info, "in vendor sub abc"); }
subclass "vendor" "def";
class "both" { match if exists dhcp-client-identifier; match option dhcp-client-identifier; log(info, "in both super"); }
subclass "both" 01:02 { log(info, "in both sub 0102"); }
class "c7" { match if true; log(info, "in c7"); }
class "c8" { match if true; log(info, "in c8"); }
class "c9" { match if true; log(info, "in c9"); }
host h1 { hardware ethernet 00:1a:2b:0c:0d:01; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
}
"""  # noqa: E501 - given to dhcpd exactly as written

OBSERVED_CLASSES = [
    (
        discover("001a2b0c0d01", {12: b"", 60: b"abc"}),
        ["in vendor super", "in vendor sub abc", "in c1"],
    ),
    (
        discover("011a2b0c0d02", {12: b"h", 60: b"def", 82: bytes.fromhex("0101aa"), 61: b"\1\2"}),
        ["in both super", "in both sub 0102", "in vendor super", "in perrelay \xaa",
         "in c3 hostname"],
    ),
    (
        discover("011a2b0c0d03", {60: b"zzz", 82: bytes.fromhex("0101aa"), 61: b"\1\3"}),
        ["in perrelay \xaa"],
    ),
    (discover("011a2b0c0d04", {60: b"", 82: bytes.fromhex("0101bb")}), ["in perrelay \xbb"]),
    (
        discover("001a2b0c0d05", {60: b"abc", 61: b"\1\2", 82: bytes.fromhex("0101cc")}),
        ["in both super", "in both sub 0102", "in vendor super", "in vendor sub abc",
         "in perrelay \xcc", "in c1"],
    ),
]


@pytest.mark.parametrize(("packet", "observed"), OBSERVED_CLASSES)
def test_the_classes_dhcpd_matched(tmp_path: Path, packet: DhcpPacket, observed: list[str]) -> None:
    config = load(tmp_path, CLASSES_CONF)
    classification = classify(packet, config)
    scopes = config.execution_order(
        subnet=config.subnets[0], pool=config.pools[0], classes=classification.configs
    )
    state = execute_scopes(scopes, EvalContext(packet=packet))
    assert [line.text for line in state.log_lines] == observed


def test_subclasses_and_spawned_classes(tmp_path: Path) -> None:
    config = load(tmp_path, CLASSES_CONF)
    packet = discover("011a2b0c0d02", {12: b"h", 60: b"def", 82: b"\1\1\xaa", 61: b"\1\2"})
    classification = classify(packet, config)
    assert classification.names == ("c3", "perrelay", "vendor", "both")
    perrelay, vendor, both = classification.classes[1:]
    spawned = spawned_subclass(config.classes[3], b"\xaa")
    assert perrelay == MatchedClass("perrelay", spawned, b"\xaa", spawned=True)
    # dhcpd's spawned subclass: the class's statements and limit, keyed by the value
    assert perrelay.config.scope.id == config.classes[3].scope.id
    assert (spawned.superclass, spawned.hash_key, spawned.spawn) == ("perrelay", b"\xaa", False)
    assert perrelay.lease_limit == 1
    assert vendor.subclass_key == b"def" and not vendor.spawned
    assert vendor.config.scope.id == config.classes[4].scope.id  # no body: the class's scope
    assert both.billing_class == BillingClass("both", b"\1\2")
    assert classification.spawned == (BillingClass("perrelay", b"\xaa"),)


def test_known_is_false_while_classifying(tmp_path: Path) -> None:
    # Observed: host h1 has this MAC, yet `match if known` did not match.
    config = load(tmp_path, CLASSES_CONF)
    packet = discover("001a2b0c0d01", {})
    assert "c2" not in classify(packet, config).names
    assert "c2" in classify(packet, config, known=True).names


TOO_MANY_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
class "k1" { match if exists dhcp-message-type; log(info, "k1"); }
class "k2" { match if exists dhcp-message-type; log(info, "k2"); }
class "k3" { match if exists dhcp-message-type; log(info, "k3"); }
class "k4" { match if exists dhcp-message-type; log(info, "k4"); }
class "k5" { match if exists dhcp-message-type; log(info, "k5"); }
class "k6" { match if exists dhcp-message-type; log(info, "k6"); }
host h1 { hardware ethernet 00:1a:2b:0c:0d:01; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
  if known { log(info, concat("known host ", host-decl-name)); }
  if check "default" { log(info, "check T"); } else { log(info, "check F"); }
}
"""


def test_at_most_five_classes_per_packet(tmp_path: Path) -> None:
    # Observed: "too many classes match 00:1a:2b:0c:0d:01", then k5 … k1 ran.
    config = load(tmp_path, TOO_MANY_CONF)
    packet = discover("001a2b0c0d01", {})
    classification = classify(packet, config)
    assert classification.names == ("k1", "k2", "k3", "k4", "k5")
    assert classification.log_lines == (
        LogLine("error", "too many classes match 00:1a:2b:0c:0d:01"),
    )
    scopes = config.execution_order(
        subnet=config.subnets[0], pool=config.pools[0], classes=classification.configs
    )
    # Observed: `known` is true by now but host-decl-name has no value for a dynamic
    # lease, so that line is not printed; `check` is true.
    ctx = EvalContext(packet=packet, known=True, classes=classification.names)
    state = execute_scopes(scopes, ctx)
    assert [line.text for line in state.log_lines] == ["check T", "k5", "k4", "k3", "k2", "k1"]


# ---- real-world forms ------------------------------------------------------------------------

REAL_WORLD_CONF = """
option arch-type code 93 = unsigned integer 16;
set site = "hq";
define tagged (word) { return concat(site, "-", word); }
class "pxeclients" { match if substring (option vendor-class-identifier, 0, 9) = "PXEClient"; }
class "ipxe" { match if exists user-class and option user-class = "iPXE"; }
class "efi64" { match if option arch-type = 00:07; }
class "legacy-pxe" { match if exists arch-type and (not (option user-class = "iPXE")); }
class "juniper" { match if substring (option vendor-class-identifier, 0, 14) = "Juniper-ex4300"; }
class "relay" { match option agent.circuit-id; }
subclass "relay" "port-1" { option domain-name "port1.example"; }
subclass "relay" 70:6f:72:74:2d:32;
class "perport" { spawn with option agent.circuit-id; lease limit 2; }
class "mac" {
  match if binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)) = "0:1a:2b:c:d:e";
}
class "sited" { match if tagged(option user-class) = "hq-iPXE"; }
"""


@pytest.mark.parametrize(
    ("options", "mac", "names"),
    [
        ({60: b"PXEClient:Arch:00007:UNDI:003016", 93: b"\0\7"}, "001a2b0c0d0e",
         ("pxeclients", "efi64", "legacy-pxe", "mac")),
        ({60: b"PXEClient:Arch:00000", 93: b"\0\0", 77: b"iPXE"}, "001a2b0c0d0f",
         ("pxeclients", "ipxe", "sited")),
        ({60: b"Juniper-ex4300-48p", 82: b"\x01\x06port-1"}, "001a2b0c0d0f",
         ("juniper", "relay", "perport")),
        ({82: b"\x01\x06port-2"}, "001a2b0c0d0f", ("relay", "perport")),
        ({82: b"\x01\x06port-3"}, "001a2b0c0d0f", ("perport",)),
        ({}, "001a2b0c0d0f", ()),
    ],
)
def test_corpus_class_forms(
    tmp_path: Path, options: dict[int, bytes], mac: str, names: tuple[str, ...]
) -> None:
    config = load(tmp_path, REAL_WORLD_CONF)
    classification = classify(
        discover(mac, options), config, variables=startup_bindings(config)
    )
    assert classification.names == names


def test_a_declared_subclass_runs_its_own_scope(tmp_path: Path) -> None:
    config = load(tmp_path, REAL_WORLD_CONF)
    relay = classify(discover("001a2b0c0d0f", {82: b"\x01\x06port-1"}), config).classes[0]
    state = execute_scopes([relay.config.scope], EvalContext())
    assert state.value("dhcp", 15) == b"port1.example"


def test_stashed_agent_options_classify_a_renewal(tmp_path: Path) -> None:
    config = load(tmp_path, REAL_WORLD_CONF)
    renewal = discover("001a2b0c0d0f", {53: b"\x03"}, ciaddr="10.0.0.5")
    assert classify(renewal, config).names == ()
    stashed = classify(renewal, config, stashed_agent_options=b"\x01\x06port-2")
    assert stashed.names == ("relay", "perport")


# ---- billing ---------------------------------------------------------------------------------


def test_billing_goes_to_the_first_class_with_room(tmp_path: Path) -> None:
    config = load(tmp_path, REAL_WORLD_CONF)
    packet = discover("001a2b0c0d0f", {82: b"\x01\x06port-9"})
    port9 = BillingClass("perport", b"port-9")
    classes = classify(packet, config).configs
    assert bill(classes, lambda _: 0) == Billing(billed_to=port9)
    assert bill(classes, {port9: 1}.__getitem__) == Billing(billed_to=port9)
    full = bill(classes, {port9: 2}.__getitem__)
    assert full == Billing(refused=True, last_class="perport")
    assert full.refusal_message() == (
        "no available billing: lease limit reached in all matching classes (last: 'perport')"
    )
    # A lease keeps the billing it has while the client is still in that class ...
    assert bill(classes, {port9: 2}.__getitem__, port9) == Billing(billed_to=port9)
    # ... and is billed afresh when it is not (here: refused, the only class is full).
    port1 = BillingClass("perport", b"port-1")
    assert bill(classes, {port9: 2}.__getitem__, port1).refused


def test_without_lease_limits_nothing_is_billed(tmp_path: Path) -> None:
    config = load(tmp_path, REAL_WORLD_CONF)
    classification = classify(discover("001a2b0c0d0e", {93: b"\0\7"}), config)
    assert bill(classification.configs, lambda _: 0) == Billing()
    # a lease billed to a class the client has left loses the billing
    assert bill(classification.configs, lambda _: 0, BillingClass("perport", b"x")) == Billing()


def test_billing_tries_classes_in_match_order_and_names_the_last_full_one(
    tmp_path: Path,
) -> None:
    config = load(tmp_path, """
        class "a" { match if exists host-name; lease limit 1; }
        class "b" { match if exists host-name; lease limit 0; }
        class "c" { match if exists host-name; lease limit 3; }
        class "s" { match option host-name; lease limit 1; }
        subclass "s" "x";
    """)
    a, b, c = (config.class_by_name(name) for name in "abc")
    assert a is not None and b is not None and c is not None
    counts = {BillingClass("a"): 1, BillingClass("c"): 2}
    assert bill([a, b, c], lambda k: counts.get(k, 0)) == Billing(billed_to=BillingClass("c"))
    full = {**counts, BillingClass("c"): 3}
    assert bill([a, b, c], lambda k: full.get(k, 0)) == Billing(refused=True, last_class="c")
    assert bill([b], lambda _: 0) == Billing()
    assert bill([c, a], lambda k: full.get(k, 0)).last_class == "a"
    sub = config.class_by_name("s")
    assert sub is not None
    assert billing_class_of(sub.subclasses[0]) == BillingClass("s", b"x")
