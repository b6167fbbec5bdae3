"""The options of a reply: which scopes apply, and what dhcpd puts in the packet.

`run_scopes` is the single place where the configuration's scopes become an option
state and the server parameters in force (spec §1.7: host > class > pool > subnet >
shared-network > group > global).  It runs them with `domain.execute` for the request
at hand, so `if`/`switch`, expressions and `set` take effect; the variables a run
leaves become the lease's bindings.

`select_options` is dhcpd's `cons_options` choice and order (spec §4.7): the
protocol options first, then the client's parameter request list (or, without one,
the usual suspects and then everything configured), relay information last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from domain.config.declarations import ClassConfig, HostConfig, PoolConfig, SubnetConfig
from domain.config.model import DhcpConfig
from domain.config.option_settings import combine_option_settings
from domain.config.parameters import ServerParameters, resolve_server_parameters
from domain.config.scopes import Scope
from domain.config.statements import Statement
from domain.dhcp_decision import LogLevel, LogLine, PendingCommand
from domain.dhcp_packet import MessageType, Opt, ipv4
from domain.eval_context import EvalContext
from domain.execute import CommandRequest, execute_scopes
from domain.execute import LogLine as StatementLog
from domain.lease import BindingValue

ASSOCIATED_IP = 92
_PROTOCOL_FIRST = (
    Opt.MESSAGE_TYPE,
    Opt.SERVER_IDENTIFIER,
    Opt.LEASE_TIME,
    Opt.RENEWAL_TIME,
    Opt.REBINDING_TIME,
    Opt.MESSAGE,
    Opt.REQUESTED_ADDRESS,
    ASSOCIATED_IP,
)
_LEVELS = {"info": LogLevel.INFO, "error": LogLevel.ERROR, "debug": LogLevel.DEBUG}
_WITHOUT_PRL = (Opt.SUBNET_MASK, Opt.ROUTERS, Opt.DOMAIN_NAME_SERVERS, Opt.HOST_NAME, Opt.FQDN)


@dataclass(frozen=True, slots=True)
class ScopeResult:
    """The DHCP options (code -> payload) and the parameters a run of scopes leaves,
    the variables (`set`) as the lease will keep them, the lines its `log` statements
    wrote (dhcpd writes them as it runs the scopes, before the request's own line)
    with its `execute` commands among them, and the `on commit` body it recorded (run
    when the lease is committed); the `on expiry` and `on release` bodies go with the
    lease (None: the statements did not name the event; see `lease_event_bodies`)."""

    options: dict[int, bytes]
    parameters: ServerParameters
    bindings: tuple[tuple[str, BindingValue], ...] = ()
    log: tuple[StatementLog | CommandRequest, ...] = ()
    on_commit: tuple[Statement, ...] = ()
    on_expiry: tuple[Statement, ...] | None = None
    on_release: tuple[Statement, ...] | None = None


def decision_lines(entries: Iterable[StatementLog | CommandRequest]) -> tuple[LogLine, ...]:
    """`log` statements' lines at their syslog level (`fatal`, which would end dhcpd,
    is written as an error: a request's statements never stop this server); the
    commands among them are left out (see `add_statement_output`)."""
    return tuple(_decision_line(entry) for entry in entries if isinstance(entry, StatementLog))


def add_statement_output(entries: Iterable[StatementLog | CommandRequest],
                         lines: list[LogLine], commands: list[PendingCommand]) -> None:
    """Append what statements wrote to a decision's `lines`, and their commands to
    `commands`, each at its place among those lines."""
    for entry in entries:
        if isinstance(entry, CommandRequest):
            commands.append(PendingCommand(len(lines), entry.command, entry.arguments))
        else:
            lines.append(_decision_line(entry))


def _decision_line(entry: StatementLog) -> LogLine:
    return LogLine(_LEVELS.get(entry.priority, LogLevel.ERROR), entry.text)


def run_scopes(
    config: DhcpConfig,
    *,
    subnet: SubnetConfig | None = None,
    pool: PoolConfig | None = None,
    classes: Sequence[ClassConfig] = (),
    host: HostConfig | None = None,
    request: EvalContext | None = None,
) -> ScopeResult:
    """The option state and parameters for a reply from these scopes, evaluated for
    `request` (the packet, lease and variables; none for a configuration-only view).

    `authoritative` is the subnet's bit when there is a subnet (dhcpd asks the
    subnet), else that of the innermost scope run."""
    scopes = config.execution_order(subnet=subnet, pool=pool, classes=classes, host=host)
    evaluation = request if request is not None else EvalContext()
    authoritative = subnet.authoritative if subnet is not None else scopes[-1].authoritative
    key = (int(authoritative), *(scope.id for scope in scopes))
    known = config.constant_scope_runs.get(key)
    if known is not None:
        bindings = tuple(
            (name, value) for name, value in evaluation.variables.items()
            if isinstance(value, bytes | int)
        )
        return ScopeResult(dict(known[0]), known[1], bindings)
    if host is not None:
        evaluation = replace(evaluation, host_name=host.name)
    state = execute_scopes(scopes, evaluation)
    options = {
        code: setting.value
        for (space, code), setting in state.options.items()
        if space == "dhcp" and setting.value is not None
    }
    bindings = tuple(
        (name, value) for name, value in state.bindings if isinstance(value, bytes | int)
    )
    parameters = resolve_server_parameters(state.options, authoritative=authoritative)
    if _constant(scopes):
        config.constant_scope_runs[key] = (dict(options), parameters)
    return ScopeResult(options, parameters, bindings, state.log_lines,
                       state.on_events.get("commit", ()), state.on_events.get("expiry"),
                       state.on_events.get("release"))


def _constant(scopes: Sequence[Scope]) -> bool:
    """Whether running `scopes` gives every request the same options and parameters:
    no request-time statement and no compressed list left unresolved (the test
    `execute_scopes` makes before it skips evaluation)."""
    if any(scope.runtime_statements for scope in scopes):
        return False
    settings = combine_option_settings(option for scope in scopes for option in scope.options)
    return not any(o.compressed_list and o.value is None for o in settings.values())


def network_scopes(
    config: DhcpConfig,
    network_name: str | None,
    fallback_subnet: SubnetConfig | None,
    classes: Sequence[ClassConfig],
    request: EvalContext | None = None,
) -> ScopeResult:
    """dhcpd's `eval_network_statements` (+ classes), used for NAKs: the first subnet
    and first pool of the packet's shared network, else the given subnet, else the
    global scope."""
    network = config.shared_network(network_name) if network_name is not None else None
    if network is not None:
        subnet = network.subnets[0] if network.subnets else None
        pool = network.pools[0] if network.pools else None
        return run_scopes(config, subnet=subnet, pool=pool, classes=classes, request=request)
    return run_scopes(config, subnet=fallback_subnet, classes=classes, request=request)


def u32(value: int) -> bytes:
    return (value & 0xFFFFFFFF).to_bytes(4, "big")


def ip_bytes(address: str) -> bytes:
    return ipv4(address).packed


def netmask_of(subnet: SubnetConfig) -> bytes:
    """The subnet's mask as written (dhcpd keeps non-contiguous masks as they are)."""
    if subnet.netmask is not None:
        return subnet.netmask.packed
    return subnet.network.netmask.packed


def select_options(
    state: dict[int, bytes],
    *,
    prl: bytes | None,
    request_kind: MessageType | None,
    client_sent_fqdn: bool,
    echo_client_id: bool,
    agent_options: bytes | None,
) -> dict[int, bytes]:
    """The options to send, in dhcpd's order (`cons_options`).

    With a parameter request list only the protocol options, option 118, an echoed
    client id, the requested ones, FQDN and (for DISCOVER/REQUEST) the subnet mask go
    out; without one, everything configured does.  Relay information (82) is last."""
    priority: list[int] = list(_PROTOCOL_FIRST)
    if prl:
        if Opt.SUBNET_SELECTION in state:
            priority.append(Opt.SUBNET_SELECTION)
        if echo_client_id:
            priority.append(Opt.CLIENT_IDENTIFIER)
        priority += [code for code in prl if code != Opt.RELAY_AGENT_INFORMATION]
        if client_sent_fqdn:
            priority.append(Opt.FQDN)
        if request_kind in (MessageType.DHCPDISCOVER, MessageType.DHCPREQUEST):
            priority.append(Opt.SUBNET_MASK)
    else:
        priority += list(_WITHOUT_PRL)
        priority += [code for code in state if code != Opt.RELAY_AGENT_INFORMATION]
        priority.append(Opt.VENDOR_ENCAPSULATED)
    chosen: dict[int, bytes] = {}
    for code in priority:
        if code in state and code not in chosen and code != Opt.RELAY_AGENT_INFORMATION:
            chosen[code] = state[code]
    if agent_options:
        chosen[Opt.RELAY_AGENT_INFORMATION] = agent_options
    return chosen


def parameter_request_list(state: dict[int, bytes], requested: bytes | None) -> bytes | None:
    """The scope's own parameter request list wins over the client's."""
    return state.get(Opt.PARAMETER_REQUEST_LIST, requested)


def server_identifier(state: dict[int, bytes], interface_address: str | None) -> bytes | None:
    """Option 54: the configured server-identifier, else the arrival interface's
    address (which is also the reply's source); None when there is neither."""
    configured = state.get(Opt.SERVER_IDENTIFIER)
    if configured is not None and len(configured) == 4:
        return configured
    return ip_bytes(interface_address) if interface_address is not None else None


def max_message_size(request_value: bytes | None, state: dict[int, bytes]) -> int | None:
    """Option 57 as dhcpd reads it for the reply size: the client's when it sent one
    (ignored unless two octets long), else the scope's."""
    raw = request_value if request_value is not None else state.get(Opt.MAX_MESSAGE_SIZE)
    if raw is not None and len(raw) == 2:
        return int.from_bytes(raw, "big")
    return None
