"""Server parameters (lease times, flags, file names) resolved to typed values.

dhcpd keeps its parameters as options in the `server` space (server/stables.c), looks
each one up by code when it needs it, and falls back to a compiled-in default when the
configuration never set it (includes/dhcpd.h).  `ServerParameters` is that lookup done
once for a chain of scopes, so the server reads `params.max_lease_time` instead of
decoding option bytes on every request.

Only constant values are resolved.  A parameter set by an expression, or inside an
`if`/`switch`, depends on the request; the request-time evaluator runs those scopes'
statements and must start from these values, not replace them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from domain.config.frozen_model import FrozenModel
from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.scopes import Scope
from domain.options.standard_tables import SERVER_OPTIONS
from domain.options.universes import STANDARD_ENUMERATIONS

Permission = Literal["allow", "deny", "ignore"]

DEFAULT_MIN_LEASE_TIME = 300
DHCP_SERVER_IDENTIFIER = 54

_SERVER_CODES = {name: code for name, code, _ in SERVER_OPTIONS}
_ENUMERATIONS = {e.name: e for e in STANDARD_ENUMERATIONS}


class ServerParameters(FrozenModel):
    """The parameters in force for one chain of scopes, ISC defaults where unset.

    `min_lease_time` is None when the configuration does not set it: dhcpd then uses
    300 s, or max-lease-time when that is smaller (see `effective_min_lease_time`).
    Flags that `allow`/`deny`/`ignore` set are a `Permission`: `ignore` refuses like
    `deny` but without a log line.  `authoritative` is the scope bit of the subnet (or
    the innermost scope) — it is not an option in ISC.
    """

    default_lease_time: int = 43200
    max_lease_time: int = 86400
    min_lease_time: int | None = None
    dynamic_bootp_lease_cutoff: int | None = None
    dynamic_bootp_lease_length: int | None = None
    boot_unknown_clients: Permission = "allow"
    dynamic_bootp: Permission = "allow"
    bootp: Permission = "allow"
    booting: Permission = "allow"
    duplicates: Permission = "allow"
    declines: Permission = "allow"
    client_updates: Permission = "allow"
    leasequery: Permission = "deny"
    one_lease_per_client: bool = False
    get_lease_hostnames: bool = False
    use_host_decl_names: bool = False
    use_lease_addr_for_default_route: bool = False
    always_reply_rfc1048: bool = False
    always_broadcast: bool = False
    stash_agent_options: bool = True
    infinite_is_reserved: bool = False
    ignore_client_uids: bool = False
    echo_client_id: bool = False
    ping_check: bool = True
    ping_timeout: int = 1
    ping_timeout_ms: int = 0
    ping_cltt_secs: int = 60
    min_secs: int | None = None
    adaptive_lease_time_threshold: int | None = None
    dhcp_cache_threshold: int = 25
    abandon_lease_time: int = 86400
    server_id_check: bool = False
    check_secs_byte_order: bool = False
    filename: str | None = None
    server_name: str | None = None
    next_server: ipaddress.IPv4Address | None = None
    server_identifier: ipaddress.IPv4Address | None = None
    ddns_update_style: str = "none"
    log_facility: str | None = None  # None: syslog's `daemon`, and no switch at start-up
    lease_file_name: str | None = None
    pid_file_name: str | None = None
    local_port: int | None = None
    remote_port: int | None = None
    local_address: ipaddress.IPv4Address | None = None
    omapi_port: int | None = None
    omapi_key: str | None = None
    authoritative: bool = False

    @property
    def effective_min_lease_time(self) -> int:
        """The floor dhcpd applies to lease times (server/dhcp.c `ack_lease`)."""
        if self.min_lease_time is not None:
            return self.min_lease_time
        return min(DEFAULT_MIN_LEASE_TIME, self.max_lease_time)


def _unsigned(width: int) -> Callable[[bytes], int | None]:
    """dhcpd reads a number only when the payload has exactly the expected width."""

    def decode(data: bytes) -> int | None:
        return int.from_bytes(data, "big") if len(data) == width else None

    return decode


def _flag(data: bytes) -> bool | None:
    # evaluate_boolean_option_cache: only the byte value 1 is true.
    return data[0] == 1 if data else None


def _permission(data: bytes) -> Permission | None:
    # allow/deny/ignore store 1/0/2; dhcpd treats any other byte as false.
    if not data:
        return None
    if data[0] == 1:
        return "allow"
    return "ignore" if data[0] == 2 else "deny"


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def _ipv4(data: bytes) -> ipaddress.IPv4Address | None:
    return ipaddress.IPv4Address(data) if len(data) == 4 else None


def _enumerated(enumeration: str) -> Callable[[bytes], str | None]:
    table = _ENUMERATIONS[enumeration]

    def decode(data: bytes) -> str | None:
        return table.name_of(data[0]) if len(data) == table.width else None

    return decode


_u32, _u16, _u8 = _unsigned(4), _unsigned(2), _unsigned(1)

# server option name -> (ServerParameters field, decoder of the option payload)
_DECODERS: dict[str, tuple[str, Callable[[bytes], Any]]] = {
    "default-lease-time": ("default_lease_time", _u32),
    "max-lease-time": ("max_lease_time", _u32),
    "min-lease-time": ("min_lease_time", _u32),
    "dynamic-bootp-lease-cutoff": ("dynamic_bootp_lease_cutoff", _u32),
    "dynamic-bootp-lease-length": ("dynamic_bootp_lease_length", _u32),
    "boot-unknown-clients": ("boot_unknown_clients", _permission),
    "dynamic-bootp": ("dynamic_bootp", _permission),
    "allow-bootp": ("bootp", _permission),
    "allow-booting": ("booting", _permission),
    "duplicates": ("duplicates", _permission),
    "declines": ("declines", _permission),
    "client-updates": ("client_updates", _permission),
    "leasequery": ("leasequery", _permission),
    "one-lease-per-client": ("one_lease_per_client", _flag),
    "get-lease-hostnames": ("get_lease_hostnames", _flag),
    "use-host-decl-names": ("use_host_decl_names", _flag),
    "use-lease-addr-for-default-route": ("use_lease_addr_for_default_route", _flag),
    "always-reply-rfc1048": ("always_reply_rfc1048", _flag),
    "always-broadcast": ("always_broadcast", _flag),
    "stash-agent-options": ("stash_agent_options", _flag),
    "infinite-is-reserved": ("infinite_is_reserved", _flag),
    "ignore-client-uids": ("ignore_client_uids", _flag),
    "echo-client-id": ("echo_client_id", _flag),
    "ping-check": ("ping_check", _flag),
    "ping-timeout": ("ping_timeout", _u32),
    "ping-timeout-ms": ("ping_timeout_ms", _u32),
    "ping-cltt-secs": ("ping_cltt_secs", _u32),
    "min-secs": ("min_secs", _u8),
    "adaptive-lease-time-threshold": ("adaptive_lease_time_threshold", _u8),
    "dhcp-cache-threshold": ("dhcp_cache_threshold", _u8),
    "abandon-lease-time": ("abandon_lease_time", _u32),
    "server-id-check": ("server_id_check", _flag),
    "check-secs-byte-order": ("check_secs_byte_order", _flag),
    "filename": ("filename", _text),
    "server-name": ("server_name", _text),
    "next-server": ("next_server", _ipv4),
    "ddns-update-style": ("ddns_update_style", _enumerated("ddns-styles")),
    "log-facility": ("log_facility", _enumerated("syslog-facilities")),
    "lease-file-name": ("lease_file_name", _text),
    "pid-file-name": ("pid_file_name", _text),
    "local-port": ("local_port", _u16),
    "remote-port": ("remote_port", _u16),
    "local-address": ("local_address", _ipv4),
    "omapi-port": ("omapi_port", _u16),
    "omapi-key": ("omapi_key", _text),
}
_DECODERS_BY_CODE = {_SERVER_CODES[name]: entry for name, entry in _DECODERS.items()}


def resolve_server_parameters(
    options: Mapping[tuple[str, int], OptionSetting], *, authoritative: bool
) -> ServerParameters:
    """Typed parameters from a combined option state (see `combine_option_settings`).

    Parameters are found by server-space code, as dhcpd looks them up; a value of the
    wrong width or a non-constant one leaves the default, as dhcpd's checks do.
    `server-identifier` is DHCP option 54, not a server option.
    """
    values: dict[str, Any] = {"authoritative": authoritative}
    for (space, code), setting in options.items():
        if setting.value is None:
            continue
        if space == "server" and code in _DECODERS_BY_CODE:
            field, decode = _DECODERS_BY_CODE[code]
            value = decode(setting.value)
            if value is not None:
                values[field] = value
        elif space == "dhcp" and code == DHCP_SERVER_IDENTIFIER:
            values["server_identifier"] = _ipv4(setting.value)
    return ServerParameters(**values)


def parameters_for_scopes(scopes: Iterable[Scope], *, authoritative: bool) -> ServerParameters:
    """The parameters a run of `scopes` (in execution order) leaves in force."""
    combined = combine_option_settings(option for scope in scopes for option in scope.options)
    return resolve_server_parameters(combined, authoritative=authoritative)
