"""Scope precedence for replies, and dhcpd's choice and order of reply options."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.dhcp_decision import LogLevel, LogLine, PendingCommand
from domain.dhcp_packet import DhcpPacket, MessageType, Opt
from domain.eval_context import BindingScope, EvalContext
from domain.execute import CommandRequest
from domain.execute import LogLine as StatementLog
from domain.reply_options import (
    add_statement_output,
    decision_lines,
    max_message_size,
    netmask_of,
    network_scopes,
    parameter_request_list,
    run_scopes,
    select_options,
    server_identifier,
)

MakeConfig = Callable[[str], DhcpConfig]

CONF = """
option domain-name "global.example";
max-lease-time 1000;
host pc { hardware ethernet 02:00:00:00:00:01; option domain-name "host.example"; }
shared-network lan {
  option domain-name "lan.example";
  subnet 10.0.0.0 netmask 255.255.255.0 {
    option domain-name "subnet.example";
    pool { max-lease-time 300; option domain-name "pool.example"; range 10.0.0.10 10.0.0.20; }
  }
  subnet 10.0.1.0 netmask 255.255.255.0 { }
}
subnet 10.0.9.0 netmask 255.0.255.0 { }
"""
STATE = {
    Opt.MESSAGE_TYPE: b"\x02", Opt.SERVER_IDENTIFIER: b"\x0a\x00\x00\x02",
    Opt.LEASE_TIME: b"\x00\x00\x02\x58", Opt.SUBNET_MASK: b"\xff\xff\xff\x00",
    Opt.ROUTERS: b"\x0a\x00\x00\x01", Opt.DOMAIN_NAME: b"x", Opt.DOMAIN_NAME_SERVERS: b"\x01" * 4,
    Opt.SUBNET_SELECTION: b"\x0a\x00\x00\x00", 42: b"\x02" * 4,
}


def test_most_specific_scope_wins(make_config: MakeConfig) -> None:
    config = make_config(CONF)
    pool = config.pools[0]
    subnet = config.subnets[0]
    host = config.hosts[0]
    assert run_scopes(config).options[Opt.DOMAIN_NAME] == b"global.example"
    assert run_scopes(config, subnet=subnet).options[Opt.DOMAIN_NAME] == b"subnet.example"
    pooled = run_scopes(config, subnet=subnet, pool=pool)
    assert pooled.options[Opt.DOMAIN_NAME] == b"pool.example"
    assert pooled.parameters.max_lease_time == 300
    hosted = run_scopes(config, subnet=subnet, pool=pool, host=host)
    assert hosted.options[Opt.DOMAIN_NAME] == b"host.example"


def test_nak_scopes_use_the_first_subnet_and_pool_of_the_network(make_config: MakeConfig) -> None:
    config = make_config(CONF)
    assert network_scopes(config, "lan", None, ()).options[Opt.DOMAIN_NAME] == b"pool.example"
    fallback = network_scopes(config, None, config.subnets[1], ())
    assert fallback.options[Opt.DOMAIN_NAME] == b"lan.example"
    assert network_scopes(config, None, None, ()).options[Opt.DOMAIN_NAME] == b"global.example"


def test_without_a_prl_everything_configured_goes_out_in_dhcpds_order() -> None:
    chosen = select_options(STATE, prl=None, request_kind=MessageType.DHCPDISCOVER,
                            client_sent_fqdn=False, echo_client_id=False,
                            agent_options=b"\x01\x01x")
    assert list(chosen) == [53, 54, 51, 1, 3, 6, 15, 118, 42, 82]


def test_with_a_prl_only_what_was_asked_plus_the_mask() -> None:
    chosen = select_options(STATE, prl=bytes([15, 82, 3, 99]), request_kind=MessageType.DHCPREQUEST,
                            client_sent_fqdn=False, echo_client_id=False, agent_options=None)
    assert list(chosen) == [53, 54, 51, 118, 15, 3, 1]
    inform = select_options(STATE, prl=bytes([3]), request_kind=MessageType.DHCPINFORM,
                            client_sent_fqdn=False, echo_client_id=False, agent_options=None)
    assert list(inform) == [53, 54, 51, 118, 3]


def test_echoed_client_ids_are_sent_even_when_not_requested() -> None:
    state = dict(STATE) | {Opt.CLIENT_IDENTIFIER: b"\x01id"}
    chosen = select_options(state, prl=bytes([3]), request_kind=MessageType.DHCPREQUEST,
                            client_sent_fqdn=False, echo_client_id=True, agent_options=None)
    assert Opt.CLIENT_IDENTIFIER in chosen


def test_small_helpers(make_config: MakeConfig) -> None:
    config = make_config(CONF)
    assert netmask_of(config.subnets[0]) == b"\xff\xff\xff\x00"
    assert netmask_of(config.subnets[2]) == b"\xff\x00\xff\x00"
    assert server_identifier({}, "10.0.0.2") == b"\x0a\x00\x00\x02"
    assert server_identifier({Opt.SERVER_IDENTIFIER: b"\x01\x02\x03\x04"}, "10.0.0.2") == (
        b"\x01\x02\x03\x04"
    )
    assert server_identifier({}, None) is None
    assert max_message_size(b"\x05\xdc", {}) == 1500
    assert max_message_size(b"\x05", {Opt.MAX_MESSAGE_SIZE: b"\x02\x40"}) is None
    assert max_message_size(None, {Opt.MAX_MESSAGE_SIZE: b"\x02\x40"}) == 576
    assert parameter_request_list({Opt.PARAMETER_REQUEST_LIST: b"\x03"}, b"\x06") == b"\x03"
    assert parameter_request_list({}, b"\x06") == b"\x06"


def test_constant_scopes_are_resolved_once_per_chain(make_config: MakeConfig) -> None:
    config = make_config(CONF)
    subnet, pool = config.subnets[0], config.pools[0]
    first = run_scopes(config, subnet=subnet, pool=pool)
    assert len(config.constant_scope_runs) == 1
    first.options[Opt.DOMAIN_NAME] = b"changed by a caller"
    again = run_scopes(config, subnet=subnet, pool=pool,
                       request=EvalContext(variables=BindingScope([("note", b"kept")])))
    assert again.options[Opt.DOMAIN_NAME] == b"pool.example"
    assert again.parameters.max_lease_time == 300
    assert again.bindings == (("note", b"kept"),)
    assert run_scopes(config, subnet=config.subnets[1]).options[Opt.DOMAIN_NAME] == b"lan.example"
    assert len(config.constant_scope_runs) == 2


def test_scopes_that_depend_on_the_request_are_run_every_time(make_config: MakeConfig) -> None:
    config = make_config("""
subnet 10.0.0.0 netmask 255.255.255.0 {
  if known { option domain-name "known.example"; } else { option domain-name "other.example"; }
}
""")
    subnet = config.subnets[0]
    packet = DhcpPacket(op=1, htype=1, hlen=6, hops=0, xid=1, secs=0, flags=0,
                        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0",
                        giaddr="0.0.0.0", chaddr=bytes(6))
    known = run_scopes(config, subnet=subnet, request=EvalContext(packet=packet, known=True))
    other = run_scopes(config, subnet=subnet, request=EvalContext(packet=packet, known=False))
    assert known.options[Opt.DOMAIN_NAME] == b"known.example"
    assert other.options[Opt.DOMAIN_NAME] == b"other.example"
    assert config.constant_scope_runs == {}


def test_log_statement_lines_keep_their_level_and_fatal_is_an_error() -> None:
    lines = decision_lines([StatementLog("info", "a"), StatementLog("debug", "b"),
                            StatementLog("error", "c"), StatementLog("fatal", "d")])
    assert [(line.level, line.text) for line in lines] == [
        (LogLevel.INFO, "a"), (LogLevel.DEBUG, "b"), (LogLevel.ERROR, "c"),
        (LogLevel.ERROR, "d")]


def test_a_scope_run_hands_back_its_log_lines_and_its_on_commit_body(
    make_config: MakeConfig,
) -> None:
    config = make_config('subnet 10.0.0.0 netmask 255.255.255.0 { log(error, "here");'
                         ' on commit { log(info, "x"); } range 10.0.0.10 10.0.0.20; }')
    result = run_scopes(config, subnet=config.subnets[0])
    assert result.log == (StatementLog("error", "here"),)
    assert len(result.on_commit) == 1


def test_statement_output_puts_each_command_at_its_place_among_the_lines() -> None:
    lines, commands = [LogLine(LogLevel.INFO, "before")], []
    add_statement_output([StatementLog("debug", "argv"), CommandRequest("/bin/x", (b"a",)),
                          StatementLog("info", "after")], lines, commands)
    assert [line.text for line in lines] == ["before", "argv", "after"]
    assert commands == [PendingCommand(2, "/bin/x", (b"a",))]
