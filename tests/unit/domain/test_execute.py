"""Running scope statements into one option state, as dhcpd's ack_lease does.

How the "observed" cases were captured: dhcpd 4.4.3-P1 (`dhcpd -d -f`) ran in a
network namespace of its own, joined by a veth pair to a second namespace from which
a small script sent DHCPDISCOVERs (the packets built here by `discover`) and read the
OFFERs.  The configurations below were given to dhcpd as they are; dhcpd logged each
`log(info, …)` line while answering, and the expected lists are those lines, in
order.  Options in the OFFER were read from the reply packet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.classify import classify
from domain.config.expressions import Null
from domain.config.model import DhcpConfig
from domain.config.parameters import resolve_server_parameters
from domain.config.scopes import Scope
from domain.config.statements import LogStatement, OptionStatement
from domain.dhcp_packet import DhcpPacket
from domain.eval_context import BindingScope, EvalContext
from domain.execute import (
    CommandRequest,
    LogLine,
    OptionState,
    execute_scopes,
    execute_statements,
    startup_bindings,
    startup_log,
)

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "conf"
NOW = 1795810338
HOST_NAME, DOMAIN_NAME, ROOT_PATH, FILENAME = 12, 15, 17, 15


def load(directory: Path, text: str) -> DhcpConfig:
    path = directory / "dhcpd.conf"
    path.write_text(text)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


def discover(mac: str, options: dict[int, bytes]) -> DhcpPacket:
    return DhcpPacket(
        op=1, htype=1, hlen=6, hops=0, xid=0x1000, secs=0, flags=0x8000,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=bytes.fromhex(mac), options={53: b"\x01", **options},
    )


def run_subnet(config: DhcpConfig, packet: DhcpPacket, **fields: object) -> OptionState:
    """What answering `packet` from the first pool runs: subnet chain, then pool."""
    scopes = config.execution_order(subnet=config.subnets[0], pool=config.pools[0])
    ctx = EvalContext(packet=packet, now=NOW, **fields)  # type: ignore[arg-type]
    return execute_scopes(scopes, ctx)


def texts(state: OptionState) -> list[str]:
    return [line.text for line in state.log_lines]


# ---- observed: expressions and control flow -----------------------------------------------

PROBE_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
option arch code 93 = unsigned integer 16;
define fun1 (word) { return true; }
define gfun (word) { return concat("g-", word); }
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
  if not (substring("a", 0, 1) = "b" and substring("a", 0, 1) = "a") { log(info, "Q1 not-and T"); } else { log(info, "Q1 not-and F"); }
  if (substring("a", 0, 1) = "b" or substring("a", 0, 1) = "a") { log(info, "Q2 or T"); } else { log(info, "Q2 or F"); }
  if option host-name = option domain-name { log(info, "Q3 null=null T"); } else { log(info, "Q3 null=null F"); }
  log(info, concat("Q7 ", binary-to-ascii(10, 32, ",", encode-int(4000000000, 32))));
  log(info, concat("Q8 ", binary-to-ascii(16, 32, ",", encode-int(4000000000, 32))));
  log(info, concat("Q9 ", binary-to-ascii(1, 8, ",", 05:00)));
  log(info, concat("Q10 ", binary-to-ascii(20, 8, ",", 05:06)));
  log(info, concat("Q11 [", substring("abc", 5, 2), "]"));
  log(info, concat("Q12 ", suffix("abc", 5)));
  log(info, concat("Q13 ", binary-to-ascii(16, 8, ":", reverse(2, 01:02:03:04))));
  log(info, concat("Q14 ", binary-to-ascii(10, 32, "", encode-int(extract-int(01:02:03:04:05, 32), 32))));
  log(info, concat("Q15 ", pick-first-value(option host-name, "dflt")));
  log(info, concat("Q16 ", "a", null));
  log(info, concat("Q17 ", binary-to-ascii(16, 8, ":", hardware)));
  log(info, concat("Q18 ", binary-to-ascii(10, 8, ".", packet(24, 4)), " ", binary-to-ascii(16, 8, ":", packet(0, 4))));
  if "PXEClient:Arch:00007" ~= "^PXE.*7$" { log(info, "Q19 T"); } else { log(info, "Q19 F"); }
  if "pxeclient" ~~ "^PXE" { log(info, "Q20 T"); } else { log(info, "Q20 F"); }
  if "x" ~= "(" { log(info, "Q21 T"); } else { log(info, "Q21 F"); }
  if not ("x" ~= "(") { log(info, "Q22 T"); } else { log(info, "Q22 F"); }
  switch (substring("b", 0, 1)) {
    case "a": log(info, "Q23 A");
    case "b": log(info, "Q23 B");
      if true { break; }
      log(info, "Q23 after-if-break");
    case "c": log(info, "Q23 C"); break;
    default: log(info, "Q23 D");
  }
  switch (extract-int(07, 8)) { case 6: log(info, "Q24 six"); break; default: log(info, "Q24 dflt"); }
  if option arch = 00:07 { log(info, "Q25 efi"); } elsif option arch = 00:00 { log(info, "Q25 bios"); } else { log(info, "Q25 none"); }
  log(info, concat("Q26 ", binary-to-ascii(10, 8, "-", option agent.circuit-id), " ", pick-first-value(option agent.remote-id, "none")));
  if exists agent.remote-id { log(info, "Q27 T"); } else { log(info, "Q27 F"); }
  set myvar = "val";
  log(info, concat("Q28 ", myvar, " ", encode-int(250 + 9, 8)));
  if defined(myvar) { log(info, "Q29 T"); } else { log(info, "Q29 F"); }
  unset myvar;
  if defined(myvar) { log(info, "Q30 T"); } else { log(info, "Q30 F"); }
  option domain-name = concat("d-", config-option host-name);
  log(info, concat("Q31 ", pick-first-value(config-option host-name, "nohost-yet")));
  option host-name "late";
  log(info, concat("Q32 ", lcase("AbC"), ucase("aBc")));
  log(info, concat("Q33 ", binary-to-ascii(10, 8, ".", leased-address)));
  if known { log(info, "Q34 T"); } else { log(info, "Q34 F"); }
  if static { log(info, "Q35 T"); } else { log(info, "Q35 F"); }
  log(info, concat("Q36 ", binary-to-ascii(10, 32, "", encode-int(lease-time, 32))));
  log(info, concat("Q37 ", pick-first-value(option fqdn.hostname, "-"), " ", pick-first-value(option fqdn.domainname, "-"), " ", pick-first-value(option fqdn.fqdn, "-")));
  log(info, concat("Q38 ", binary-to-ascii(10, 32, ",", encode-int(10 / 0, 32))));
  log(info, concat("Q39 ", binary-to-ascii(10, 8, "", encode-int(5 + 3 * 2, 8))));
}
"""  # noqa: E501 - given to dhcpd exactly as written

PROBE_CLIENTS = [
    (
        discover("001a2b0c0d0e", {
            93: bytes.fromhex("0007"), 82: bytes.fromhex("01020a0b020358595a"),
            55: bytes.fromhex("0c0f"), 81: bytes.fromhex("0000007766"),
        }),
        "10.0.0.100",
        ["Q1 not-and F", "Q2 or T", "Q3 null=null T", "Q7 04000000000", "Q8 ee6b2800",
         "Q9 00,0", "Q10 ,", "Q11 []", "Q12 abc", "Q13 3:4:1:2", "Q14 16909060", "Q15 dflt",
         "Q17 1:0:1a:2b:c:d:e", "Q18 0.0.0.0 1:1:6:0", "Q19 T", "Q20 T", "Q21 F", "Q22 T",
         "Q23 B", "Q23 after-if-break", "Q23 C", "Q24 dflt", "Q25 efi", "Q26 10-11 XYZ",
         "Q27 T", "Q28 val \x03", "Q29 T", "Q30 F", "Q31 nohost-yet", "Q32 abcABC",
         "Q33 10.0.0.100", "Q34 F", "Q35 F", "Q37 wf - wf", "Q39 16"],
    ),
    (
        discover("001a2b0c0d0f", {
            93: bytes.fromhex("0000"), 82: bytes.fromhex("01010500020358595a"),
            55: bytes.fromhex("0c0f"), 81: bytes.fromhex("040000036162630378797a00"),
        }),
        "10.0.0.101",
        ["Q1 not-and F", "Q2 or T", "Q3 null=null T", "Q7 04000000000", "Q8 ee6b2800",
         "Q9 00,0", "Q10 ,", "Q11 []", "Q12 abc", "Q13 3:4:1:2", "Q14 16909060", "Q15 dflt",
         "Q17 1:0:1a:2b:c:d:f", "Q18 0.0.0.0 1:1:6:0", "Q19 T", "Q20 T", "Q21 F", "Q22 T",
         "Q23 B", "Q23 after-if-break", "Q23 C", "Q24 dflt", "Q25 bios", "Q26 5 none",
         "Q27 F", "Q28 val \x03", "Q29 T", "Q30 F", "Q31 nohost-yet", "Q32 abcABC",
         "Q33 10.0.0.101", "Q34 F", "Q35 F", "Q37 abc .xyz abc.xyz", "Q39 16"],
    ),
]


@pytest.mark.parametrize(("packet", "address", "observed"), PROBE_CLIENTS)
def test_the_same_log_lines_as_dhcpd(
    tmp_path: Path, packet: DhcpPacket, address: str, observed: list[str]
) -> None:
    config = load(tmp_path, PROBE_CONF)
    # A lease being offered for the first time ends at 0, so lease-time has no value.
    state = run_subnet(config, packet, lease_address=address, lease_ends=0)
    assert texts(state) == observed
    assert {line.priority for line in state.log_lines} == {"info"}
    # Observed in the OFFER: domain-name was computed after host-name was set.
    assert state.value("dhcp", DOMAIN_NAME) == b"d-late"
    assert state.value("dhcp", HOST_NAME) == b"late"


SWITCH_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
  switch (substring("b", 0, 1)) {
    case "a": log(info, "S1 A");
    case "b": log(info, "S1 B");
      if exists dhcp-message-type { break; }
      log(info, "S1 after-if-break");
    case "c": log(info, "S1 C"); break;
    default: log(info, "S1 D");
  }
  log(info, "S2 after switch");
  switch (option host-name) { case "x": log(info, "S3 x"); default: log(info, "S3 default"); case "y": log(info, "S3 y"); }
  switch (option host-name) { case "x": log(info, "S4 x"); }
  if exists dhcp-message-type { log(info, "S5 in if"); break; log(info, "S5 not reached"); }
  log(info, "S6 after if with break");
  break;
  log(info, "S7 after top-level break");
}
"""  # noqa: E501 - given to dhcpd exactly as written


def test_break_ends_only_the_innermost_statement_list(tmp_path: Path) -> None:
    # Observed: a break in an `if` inside a case leaves only the `if`; a top-level
    # break ends the scope; `default` falls through to the label after it.
    config = load(tmp_path, SWITCH_CONF)
    state = run_subnet(config, discover("001a2b0c0d0e", {}))
    assert texts(state) == [
        "S1 B", "S1 after-if-break", "S1 C", "S2 after switch", "S3 default", "S3 y",
        "S5 in if", "S6 after if with break",
    ]


FUNCTION_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
define fun1 (word) { return true; }
define gfun (word) { log(info, concat("in gfun ", word)); return concat("g-", word); }
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
  option domain-name = concat("d-", config-option host-name);
  option host-name "late";
  set res = gfun("x");
  log(info, concat("F1 ", pick-first-value(res, "nores")));
  eval gfun("y");
  option root-path = gfun("rp");
}
"""


def test_functions_and_option_values_computed_for_the_reply(tmp_path: Path) -> None:
    # Observed: the root-path call runs (and logs) only when the reply is built, and
    # its result is sent even though dhcpd reports the call as a failure.
    config = load(tmp_path, FUNCTION_CONF)
    state = execute_scopes(
        config.execution_order(subnet=config.subnets[0], pool=config.pools[0]),
        EvalContext(packet=discover("001a2b0c0d0e", {55: bytes.fromhex("0c0f11")})),
    )
    assert texts(state) == ["in gfun x", "F1 g-x", "in gfun y", "in gfun rp"]
    assert state.value("dhcp", HOST_NAME) == b"late"
    assert state.value("dhcp", DOMAIN_NAME) == b"d-late"
    assert state.value("dhcp", ROOT_PATH) == b"g-rp"
    assert dict(state.bindings)["res"] == b"g-x"


# ---- precedence and the constant model ------------------------------------------------------

PRECEDENCE_CONF = """
option arch code 93 = unsigned integer 16;
option domain-name "global";
group {
  option domain-name "group";
  shared-network net {
    option domain-name "shared";
    subnet 10.0.0.0 netmask 255.255.255.0 {
      if option arch = 00:07 { option domain-name "subnet-efi"; }
      pool {
        range 10.0.0.100 10.0.0.150;
        if exists user-class { option domain-name "pool-user-class"; }
      }
    }
  }
  host pc1 {
    hardware ethernet 00:1a:2b:0c:0d:0e;
    if option arch = 00:07 { option host-name "pc1-efi"; }
  }
}
class "efi" {
  match if option arch = 00:07;
  if exists user-class { option domain-name "class-efi"; }
  option host-name "from-class";
}
"""


@pytest.mark.parametrize(
    ("options", "with_host", "domain", "host_name"),
    [
        ({}, False, b"shared", None),
        ({93: b"\x00\x07"}, False, b"subnet-efi", b"from-class"),
        ({93: b"\x00\x09", 77: b"iPXE"}, False, b"pool-user-class", None),
        ({93: b"\x00\x07", 77: b"iPXE"}, False, b"class-efi", b"from-class"),
        ({93: b"\x00\x07", 77: b"iPXE"}, True, b"class-efi", b"pc1-efi"),
    ],
)
def test_host_beats_class_beats_pool_beats_subnet_beats_shared_network(
    tmp_path: Path,
    options: dict[int, bytes],
    with_host: bool,
    domain: bytes,
    host_name: bytes | None,
) -> None:
    config = load(tmp_path, PRECEDENCE_CONF)
    efi = config.class_by_name("efi")
    assert efi is not None
    classes = [efi] if options.get(93) == b"\x00\x07" else []
    host = config.hosts[0] if with_host else None
    scopes = config.execution_order(
        subnet=config.subnets[0], pool=config.pools[0], classes=classes, host=host
    )
    state = execute_scopes(scopes, EvalContext(packet=discover("001a2b0c0d0e", options)))
    assert state.value("dhcp", DOMAIN_NAME) == domain
    assert state.value("dhcp", HOST_NAME) == host_name


INERT_SCOPE = Scope(
    id=0, kind="group", parent=None, statements=(LogStatement("debug", Null()),)
)


def _corpus_configs() -> list[tuple[str, DhcpConfig]]:
    found = []
    for path in sorted(CORPUS.glob("*.conf")):
        result = read_config(str(path))
        if result.ok:
            found.append((path.name, build_config(result.tree)))
    return found


def test_constant_settings_give_what_the_model_already_resolved() -> None:
    """For every subnet and pool of the corpus, running the scopes gives the model's
    `effective_options` wherever those are constant."""
    configs = _corpus_configs()
    if not configs:
        pytest.skip(f"no corpus configurations under {CORPUS}")
    compared = 0
    for name, config in configs:
        places = [(subnet, None) for subnet in config.subnets] + [
            (config.subnet_for_lease(pool.ranges[0].low), pool) for pool in config.pools
        ]
        for subnet, pool in places:
            scopes = config.execution_order(subnet=subnet, pool=pool)
            # The inert last scope makes every statement run through the interpreter.
            for run in (scopes, (*scopes, INERT_SCOPE)):
                state = execute_scopes(run, EvalContext())
                for key, setting in config.effective_options(subnet=subnet, pool=pool).items():
                    if setting.value is not None:
                        assert state.options[key] == setting, (name, key)
                        compared += 1
    assert compared > 100


def test_server_parameters_set_conditionally_are_read_from_the_state(tmp_path: Path) -> None:
    config = load(tmp_path, """
        option arch code 93 = unsigned integer 16;
        default-lease-time 3600;
        subnet 10.0.0.0 netmask 255.255.255.0 {
          range 10.0.0.100 10.0.0.150;
          if option arch = 00:07 { default-lease-time 600; filename "ipxe.efi"; }
        }
    """)
    efi = run_subnet(config, discover("001a2b0c0d0e", {93: b"\x00\x07"}))
    bios = run_subnet(config, discover("001a2b0c0d0e", {93: b"\x00\x00"}))
    assert resolve_server_parameters(efi.options, authoritative=False).default_lease_time == 600
    assert resolve_server_parameters(bios.options, authoritative=False).default_lease_time == 3600
    assert efi.value("server", FILENAME) == b"ipxe.efi"
    assert bios.value("server", FILENAME) is None


# ---- statements -------------------------------------------------------------------------


def test_variables_start_from_the_lease_and_are_returned(tmp_path: Path) -> None:
    config = load(tmp_path, """
        subnet 10.0.0.0 netmask 255.255.255.0 {
          range 10.0.0.100 10.0.0.150;
          set seen = concat(pick-first-value(seen, "none"), "+");
          set Old = "replaced";
          unset gone;
          define twice (word) { return concat(word, word); }
          set doubled = twice("ab");
          return "ignored outside a function";
          log(info, "after return");
        }
    """)
    lease_scope = BindingScope([("old", b"x"), ("gone", b"y"), ("seen", b"a")])
    state = run_subnet(config, discover("001a2b0c0d0e", {}), variables=lease_scope)
    bindings = dict(state.bindings)
    assert bindings["old"] == b"replaced"
    assert "gone" not in bindings
    assert bindings["seen"] == b"a+"
    assert bindings["doubled"] == b"abab"
    assert "twice" not in bindings  # functions are not kept on the lease
    assert lease_scope.value("twice") is not None
    assert texts(state) == ["after return"]


def test_on_events_are_recorded_not_run(tmp_path: Path) -> None:
    config = load(tmp_path, """
        on commit { log(info, "global commit"); }
        subnet 10.0.0.0 netmask 255.255.255.0 {
          range 10.0.0.100 10.0.0.150;
          on expiry or release { log(info, "gone"); }
          on commit { log(info, concat("commit ", binary-to-ascii(16, 8, ":", hardware))); }
          on release { }
        }
    """)
    state = run_subnet(config, discover("001a2b0c0d0e", {}))
    assert texts(state) == []
    # `on release { }` recorded an empty body: it clears the lease's (ISC drops the
    # old pointer and stores none).
    assert set(state.on_events) == {"commit", "expiry", "release"}
    assert state.on_events["release"] == ()
    client = EvalContext(packet=discover("001a2b0c0d0e", {}))
    commit = execute_statements(state.on_events["commit"], client)
    assert texts(commit) == ["commit 1:0:1a:2b:c:d:e"]
    assert isinstance(state.on_events["expiry"][0], LogStatement)


def test_log_priorities_add_and_execute(tmp_path: Path) -> None:
    config = load(tmp_path, """
        class "late-class" { match if exists host-name; }
        subnet 10.0.0.0 netmask 255.255.255.0 {
          range 10.0.0.100 10.0.0.150;
          log(error, concat("cut", 00:41, "here"));
          log("debug by default");
          log(info, null);
          add "late-class";
          execute("/usr/local/bin/notify", "lease", binary-to-ascii(10, 8, ".", leased-address));
          execute("/bin/never", option host-name);
        }
    """)
    state = run_subnet(config, discover("001a2b0c0d0e", {}), lease_address="10.0.0.100")
    notify = CommandRequest("/usr/local/bin/notify", (b"lease", b"10.0.0.100"))
    # dhcpd logs each argument as it builds the command (debug), and abandons one
    # whose argument has no value; the command sits where it runs, among the lines.
    assert state.log_lines == (
        LogLine("error", "cut"), LogLine("debug", "debug by default"),
        LogLine("debug", "execute_statement argv[0] = /usr/local/bin/notify"),
        LogLine("debug", "execute_statement argv[1] = lease"),
        LogLine("debug", "execute_statement argv[2] = 10.0.0.100"),
        notify,
        LogLine("debug", "execute_statement argv[0] = /bin/never"),
        LogLine("debug", "execute: bad arg 1"),
    )
    assert state.added_classes == ("late-class",)
    assert state.commands == (notify,)


APPEND_CONF = """
ddns-update-style none;
ping-check false;
authoritative;
option domain-search "a.com";
option domain-name-servers 10.0.0.1;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.150;
  append domain-search "b.a.com", "c.org";
  prepend domain-search "z.a.com";
  append domain-name-servers 10.0.0.2;
  prepend domain-name-servers = option dhcp-requested-address;
  default host-name "fallback";
  default host-name "ignored";
}
"""
# Observed in the OFFER: the joined domain-search, recompressed.
JOINED_SEARCH = bytes.fromhex("017a016103636f6d00c0020162c0020163036f726700")


def test_append_prepend_and_default(tmp_path: Path) -> None:
    config = load(tmp_path, APPEND_CONF)
    packet = discover("001a2b0c0d0e", {55: bytes.fromhex("060c77"), 50: bytes([10, 0, 0, 9])})
    state = run_subnet(config, packet)
    # Observed: option 6 = 10.0.0.9, 10.0.0.1, 10.0.0.2; 12 = fallback.
    assert state.value("dhcp", 6) == bytes([10, 0, 0, 9, 10, 0, 0, 1, 10, 0, 0, 2])
    assert state.value("dhcp", HOST_NAME) == b"fallback"
    assert state.value("dhcp", 119) == JOINED_SEARCH
    # Observed: without option 50 the prepended part has no value, so neither has
    # the joined option, and dhcpd sends no option 6 at all.
    without = run_subnet(config, discover("001a2b0c0d0e", {55: bytes.fromhex("060c77")}))
    assert without.value("dhcp", 6) is None
    assert without.value("dhcp", 119) == JOINED_SEARCH


def test_joining_compressed_lists_when_every_statement_is_constant(tmp_path: Path) -> None:
    config = load(tmp_path, APPEND_CONF.replace(
        "  prepend domain-name-servers = option dhcp-requested-address;\n", ""
    ))
    state = run_subnet(config, discover("001a2b0c0d0e", {}))
    assert state.value("dhcp", 119) == JOINED_SEARCH
    assert state.value("dhcp", 6) == bytes([10, 0, 0, 1, 10, 0, 0, 2])


def test_an_option_statement_without_a_value_sets_nothing() -> None:
    # `option x;` for a zero-length option type parses to a statement with no value;
    # dhcpd would dereference a missing option cache running it.
    empty = OptionStatement(
        op="supersede", universe="dhcp", name="x", code=200, format="Z", value=None, text=""
    )
    state = execute_statements((empty,), EvalContext())
    assert state.options == {}


def test_startup_bindings_run_the_global_scope_once_without_a_packet(tmp_path: Path) -> None:
    config = load(tmp_path, """
        set site = "hq";
        set mac = binary-to-ascii(16, 8, ":", hardware);
        define tag (word) { return concat(site, "-", word); }
        subnet 10.0.0.0 netmask 255.255.255.0 { set insubnet = "no"; }
    """)
    scope = startup_bindings(config)
    assert scope.value("site") == b"hq"
    assert scope.exists("mac") and scope.value("mac") is None
    assert scope.value("insubnet") is None
    assert scope.value("tag") is not None


_PACKETS = st.builds(
    DhcpPacket,
    op=st.integers(0, 255), htype=st.integers(0, 255), hlen=st.integers(0, 255),
    hops=st.integers(0, 255), xid=st.integers(0, 2**32 - 1), secs=st.integers(0, 65535),
    flags=st.integers(0, 65535), ciaddr=st.just("0.0.0.0"), yiaddr=st.just("0.0.0.0"),
    siaddr=st.just("0.0.0.0"), giaddr=st.sampled_from(["0.0.0.0", "10.1.2.3"]),
    chaddr=st.binary(max_size=16), sname=st.binary(max_size=64), file=st.binary(max_size=128),
    options=st.dictionaries(
        st.sampled_from([12, 43, 50, 55, 60, 61, 77, 81, 82, 93, 125]),
        st.binary(max_size=24),
        max_size=8,
    ),
)


@pytest.fixture(scope="module")
def dynamic_corpus() -> list[DhcpConfig]:
    """Corpus configurations with classes or statements that depend on the request."""
    return [
        config for _, config in _corpus_configs()
        if config.classes or any(scope.runtime_statements for scope in config.scopes)
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(packet=_PACKETS)
def test_random_packets_never_make_classification_or_execution_raise(
    dynamic_corpus: list[DhcpConfig], packet: DhcpPacket
) -> None:
    if not dynamic_corpus:
        pytest.skip(f"no corpus configurations under {CORPUS}")
    for config in dynamic_corpus:
        classification = classify(packet, config)
        for pool in config.pools[:3]:
            scopes = config.execution_order(
                subnet=config.subnet_for_lease(pool.ranges[0].low), pool=pool,
                classes=classification.configs,
            )
            ctx = EvalContext(
                packet=packet, lease_address=str(pool.ranges[0].low),
                classes=classification.names, now=NOW, lease_ends=NOW + 60,
            )
            state = execute_scopes(scopes, ctx)
            assert all(key == setting.key for key, setting in state.options.items())


def test_startup_log_is_what_the_global_statements_write_without_a_packet(
    tmp_path: Path,
) -> None:
    config = load(tmp_path, 'log(info, "starting"); if exists host-name { log(info, "no"); }'
                            ' subnet 10.0.0.0 netmask 255.255.255.0 { log(info, "subnet"); }')
    assert startup_log(config) == (LogLine("info", "starting"),)
