"""`render_summary`: what leaseledger understood of a dhcpd.conf, for an administrator.

After `leaseledger check` says a configuration is valid, the next question is "did it
read it the way I meant?" — which pool a known client lands in, what lease times each
pool really hands out after inheritance, which pools a failover peer covers.  The
summary answers that in plain aligned text, one section per failover peer and per
shared network, showing effective lease times (inheritance resolved) next to the
options each scope sets itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from domain.config.declarations import ClassConfig, HostConfig, PoolConfig, SharedNetworkConfig
from domain.config.expression_text import expression_text
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import DhcpConfig
from domain.config.option_settings import OptionSetting
from domain.config.parameters import ServerParameters
from domain.config.scopes import Scope

LABEL_WIDTH = 24
_LEASE_TIME_PARAMETERS = {"default-lease-time", "max-lease-time", "min-lease-time"}
# Server parameters administrators set with `allow`/`deny`/`ignore KEYWORD;`.
_ALLOW_DENY_KEYWORDS = {
    "boot-unknown-clients": "unknown-clients",
    "allow-bootp": "bootp",
    "allow-booting": "booting",
    "dynamic-bootp": "dynamic-bootp",
    "duplicates": "duplicates",
    "declines": "declines",
    "client-updates": "client-updates",
    "leasequery": "leasequery",
}


def render_summary(config: DhcpConfig) -> str:
    """A readable, aligned summary of `config`: global settings, failover peers,
    every shared network with its subnets and pools, then hosts and classes."""
    lines: list[str] = []
    if config.files:
        lines += _field(0, "Files", config.files)
    lines += ["", "Global"]
    lines += _scope_fields(2, config.scopes[0], config.global_parameters)
    if (config.db_time_format, config.lease_id_format) != ("default", "octal"):
        lease_file = f"db-time-format {config.db_time_format}, "
        lease_file += f"lease-id-format {config.lease_id_format}"
        lines += _field(2, "lease file", lease_file)
    for peer in config.failover_peers:
        lines += ["", *_failover_peer(config, peer)]
    for network in config.shared_networks:
        lines += ["", *_shared_network(config, network)]
    lines += ["", *_hosts(config.hosts), *_classes(config.classes)]
    return "\n".join(lines).strip("\n") + "\n"


def _field(indent: int, label: str, values: str | Sequence[str]) -> list[str]:
    """`label` then its value(s) in an aligned column, one value per line."""
    items = [values] if isinstance(values, str) else list(values) or ["-"]
    pad = " " * indent
    width = max(LABEL_WIDTH - indent, len(label) + 1)
    first = f"{pad}{label:<{width}}{items[0]}"
    return [first, *(f"{pad}{'':<{width}}{item}" for item in items[1:])]


def _duration(seconds: int) -> str:
    if seconds == 0xFFFFFFFF:
        return "infinite"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds} s ({seconds // size} {unit})"
    return f"{seconds} s"


def _when(moment: int) -> str:
    return f"{datetime.datetime.fromtimestamp(moment, datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"


def _lease_times(params: ServerParameters) -> str:
    # dhcpd cuts any lease, the default one included, to max-lease-time.
    capped = " capped to max" if params.default_lease_time > params.max_lease_time else ""
    return (
        f"default {_duration(params.default_lease_time)}{capped}, "
        f"max {_duration(params.max_lease_time)}, "
        f"min {_duration(params.effective_min_lease_time)}"
    )


def _setting_text(setting: OptionSetting) -> str:
    """The setting as it would be written; allow/deny flags in their own words."""
    keyword = _ALLOW_DENY_KEYWORDS.get(setting.name) if setting.space == "server" else None
    if keyword is not None and setting.value is not None and len(setting.value) == 1:
        verb = {1: "allow", 2: "ignore"}.get(setting.value[0], "deny")
        return f"{verb} {keyword}"
    space = setting.space
    qualified = setting.name if space in ("dhcp", "server") else f"{space}.{setting.name}"
    prefix = "" if setting.op == "supersede" else f"{setting.op} "
    return f"{prefix}{qualified} {setting.text}".rstrip()


def _scope_fields(
    indent: int, scope: Scope, params: ServerParameters | None, *, authority: bool = True
) -> list[str]:
    """The lease times in force, the options and parameters the scope sets itself, and
    a note when some of its statements can only be evaluated per request.  Pools have
    no authoritative bit of their own (dhcpd asks the subnet), hence `authority`."""
    options = [_setting_text(o) for o in scope.options if o.space != "server"]
    settings = [
        _setting_text(o)
        for o in scope.options
        if o.space == "server" and o.name not in _LEASE_TIME_PARAMETERS
    ]
    lines: list[str] = []
    if params is not None and authority:
        lines += _field(indent, "authoritative", "yes" if params.authoritative else "no")
    if params is not None:
        lines += _field(indent, "lease times", _lease_times(params))
    if settings:
        lines += _field(indent, "parameters", settings)
    if options:
        lines += _field(indent, "options", options)
    runtime = len(scope.runtime_statements)
    if runtime:
        lines += _field(indent, "at request time", f"{runtime} statement(s) evaluated per request")
    return lines


def _pool_label(pool: PoolConfig) -> str:
    spans = ", ".join(f"{r.low}-{r.high}" for r in pool.ranges)
    return f"pool {pool.id} in {pool.shared_network} ({spans})"


def _failover_peer(config: DhcpConfig, peer: FailoverPeerConfig) -> list[str]:
    lines = [f'Failover peer "{peer.name}"']
    lines += _field(2, "role", peer.role)
    lines += _field(2, "this server", f"{peer.address or '-'} port {peer.port}")
    lines += _field(2, "peer", f"{peer.peer_address or '-'} port {peer.peer_port}")
    lines += _field(2, "max-response-delay", _duration(peer.max_response_delay))
    lines += _field(2, "max-unacked-updates", str(peer.max_unacked_updates))
    if peer.mclt is not None:
        lines += _field(2, "mclt", _duration(peer.mclt))
    elif peer.role == "secondary":
        lines += _field(2, "mclt", "learned from the primary")
    if peer.split is not None:
        lines += _field(2, "split", f"{peer.split} (primary serves {peer.split} of 256 buckets)")
    elif peer.hba is not None:
        lines += _field(2, "hba", f"{peer.hba.hex(':')} ({peer.primary_buckets()} buckets)")
    balance = (
        f"max seconds {peer.load_balance_max_seconds}" if peer.load_balancing else "off"
    )
    lines += _field(2, "load balancing", balance)
    if peer.auto_partner_down:
        lines += _field(2, "auto-partner-down", _duration(peer.auto_partner_down))
    pools = [_pool_label(config.pools[i]) for i in peer.referring_pools]
    lines += _field(2, "pools", pools or ["none (dhcpd refuses a peer no pool refers to)"])
    return lines


def _shared_network(config: DhcpConfig, network: SharedNetworkConfig) -> list[str]:
    kind = "implicit, one subnet" if network.implicit else "declared"
    lines = [f"Shared network {network.name} ({kind})"]
    if not network.implicit:
        lines += _field(2, "authoritative", "yes" if network.authoritative else "no")
        lines += _scope_fields(2, network.scope, None)
    for subnet in network.subnets:
        lines += [f"  Subnet {subnet.network}"]
        lines += _scope_fields(4, subnet.scope, subnet.parameters)
    for pool in network.pools:
        lines += _pool(config, pool)
    return lines


def _pool(config: DhcpConfig, pool: PoolConfig) -> list[str]:
    origin = " (from bare range statements)" if pool.implicit else ""
    lines = [f"  Pool {pool.id}{origin}"]
    spans = [
        f"{r.low} - {r.high} ({r.size} addresses{', dynamic-bootp' if r.dynamic_bootp else ''})"
        for r in pool.ranges
    ]
    lines += _field(4, "ranges", spans)
    permits = [f"allow {p.describe()}" for p in pool.permit_list]
    permits += [f"deny {p.describe()}" for p in pool.prohibit_list]
    lines += _field(4, "permits", permits or ["anyone"])
    if pool.failover_peer is not None:
        peer = config.failover_peer(pool.failover_peer)
        role = f" ({peer.role})" if peer is not None else ""
        lines += _field(4, "failover peer", f'"{pool.failover_peer}"{role}')
    if pool.valid_from is not None:
        lines += _field(4, "valid from", _when(pool.valid_from))
    if pool.valid_until is not None:
        lines += _field(4, "valid until", _when(pool.valid_until))
    lines += _scope_fields(4, pool.scope, pool.parameters, authority=False)
    return lines


def _count(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


def _hosts(hosts: Sequence[HostConfig]) -> list[str]:
    if not hosts:
        return _field(0, "Hosts", "none")
    facts = [
        f"{_count(h for h in hosts if h.hardware)} by hardware address",
        f"{_count(h for h in hosts if h.client_identifier)} by client identifier",
        f"{_count(h for h in hosts if h.fixed_addresses)} with a fixed address",
    ]
    return _field(0, "Hosts", f"{len(hosts)} ({', '.join(facts)})")


def _class_line(client_class: ClassConfig) -> str:
    traits = []
    if client_class.match_if is not None:
        traits.append(f"match if {expression_text(client_class.match_if)}")
    if client_class.match is not None:
        verb = "spawn with" if client_class.spawn else "match"
        traits.append(f"{verb} {expression_text(client_class.match)}")
    if client_class.lease_limit is not None:
        traits.append(f"lease limit {client_class.lease_limit}")
    if client_class.subclasses:
        traits.append(f"{len(client_class.subclasses)} subclasses")
    return f'"{client_class.name}"' + (f" ({', '.join(traits)})" if traits else "")


def _classes(classes: Sequence[ClassConfig]) -> list[str]:
    return _field(0, "Classes", [_class_line(c) for c in classes] or ["none"])
