"""The server's OMAPI objects: what `omshell` finds in leaseledger as it does in dhcpd.

Four of dhcpd's object types are served (server/failover.c, server/omapi.c; the
attributes are dhcpd's, in its order, with its encodings — 4-byte big-endian integers,
addresses as 4 bytes, a hardware address without its type byte):

- `failover-state`: found by `name`; every attribute dhcpd publishes.  `local-state`
  may be set to 4 (partner-down) — the step dhcpd's manual gives for a peer known to
  be down — which does what `leaseledger ctl partner-down` does.  dhcpd lets OMAPI set
  any state; this server refuses the others ("not implemented"), since forcing one
  by hand bypasses the protocol's safety rules.
- `lease`: found by `ip-address`, `dhcp-client-identifier` or `hardware-address`
  (+ `hardware-type`, ethernet by default) — several given must agree.  An address of
  a pool that has no record yet is a free lease, as in dhcpd.  `ends` may be set (0:
  expire it now, what scripts do to free an address) and so may `state` (1-7, moved as
  dhcpd's `supersede_lease` moves it) and the lease's variables (any other name: `set
  NAME = value;` in the record), each recorded as an `Administered` event and durable
  before the answer.
- `control`: setting `state` to 2 shuts the server down cleanly, as with dhcpd.

- `host`: made, found, changed and removed through `HostDirectory` (ops/omapi_hosts),
  what omshell and Foreman's smart proxy use to manage reservations.

`subnet` and `pool` objects exist as the handles a lease names; `group` and `class`
objects are not served ("not implemented").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from adapters.leasefile.binding_reader import bind, reads_back_as_variable
from adapters.omapi_objects_port import (
    INVALID_ARG,
    KEY_CONFLICT,
    MULTIPLE,
    NO_KEYS,
    NO_PERMISSION,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    ObjectRef,
    OmapiObjects,
    Value,
)
from adapters.omapi_wire import int_value, read_int
from domain.dhcp_decision import LeaseChange
from domain.failover.service_view import FailoverService, service_for_pool
from domain.failover.states import ServerState
from domain.failover_messages import BindingStatus
from domain.lease import BindingState, Lease
from domain.lease_events import Administered
from domain.lease_lifecycle import set_by_operator
from ops.omapi_hosts import HOST, HostDirectory, hardware_from

if TYPE_CHECKING:
    from ops.daemon import Daemon

FAILOVER_STATE, LEASE, CONTROL = "failover-state", "lease", "control"
CONTROL_SHUTDOWN = 2  # dhcpd's server_shutdown state value for the control object
_FAILOVER_ATTRIBUTES = frozenset({
    "name", "partner-address", "local-address", "partner-port", "local-port",
    "max-outstanding-updates", "mclt", "load-balance-max-secs", "load-balance-hba",
    "partner-state", "local-state", "partner-stos", "local-stos", "hierarchy",
    "last-packet-sent", "last-timestamp-received", "skew", "max-response-delay",
    "cur-unacked-updates",
})
# dhcp_lease_set_value's answers: what may not change, and what it takes without change.
_LEASE_REFUSED = {"ip-address": NO_PERMISSION, "starts": NO_PERMISSION,
                  "pool": NO_PERMISSION, "subnet": INVALID_ARG}
# `set state`'s values: the failover binding statuses (dhcpd's FTS_FREE 1 to FTS_BACKUP 7).
_STATUS_STATES = {int(status): status.lease_state for status in BindingStatus}
_LEASE_IGNORED = frozenset({"dhcp-client-identifier", "hostname", "client-hostname",
                            "host", "billing-class", "hardware-address", "hardware-type"})


class ServerObjects(OmapiObjects):
    """The daemon's leases and failover relationships, and the server itself."""

    def __init__(self, daemon: Daemon, shutdown: Callable[[], None],
                 hosts: HostDirectory | None = None) -> None:
        self._daemon = daemon
        self._shutdown = shutdown
        self._hosts = hosts
        self._unsettled: list[Callable[[], Awaitable[None]]] = []

    async def settle(self) -> None:
        """Return once every lease change made so far is durable (the listener waits
        for it before answering, as dhcpd answers after its commit)."""
        while self._unsettled:
            await self._unsettled.pop(0)()

    def types(self) -> frozenset[str]:
        return frozenset({FAILOVER_STATE, LEASE, CONTROL, HOST, "subnet", "pool", "group",
                          "class"})

    def lookup(self, type_name: str, values: Mapping[str, bytes]) -> ObjectRef | int:
        if type_name == FAILOVER_STATE:
            if "name" not in values:
                return NO_KEYS
            name = values["name"].decode("latin-1")
            return ObjectRef(FAILOVER_STATE, name) if name in self._daemon.runners else NOT_FOUND
        if type_name == LEASE:
            return self._lease_lookup(values)
        if type_name == CONTROL:
            return ObjectRef(CONTROL, "")
        if type_name == HOST and self._hosts is not None:
            return self._hosts.lookup(values)
        return NOT_IMPLEMENTED

    def published(self, ref: ObjectRef) -> Sequence[tuple[str, Value]] | None:
        if ref.type == FAILOVER_STATE:
            return self._failover_values(ref.key)
        if ref.type == LEASE:
            lease = self._lease(ref.key)
            return None if lease is None else self._lease_values(lease)
        if ref.type == CONTROL:
            return [("state", int_value(0))]  # dhcpd never moves it from server_startup
        if ref.type == HOST and self._hosts is not None:
            return self._hosts.published(ref.key)
        return []  # subnet and pool: handles only

    def update(self, ref: ObjectRef, values: Sequence[tuple[str, bytes]]) -> int:
        if ref.type == FAILOVER_STATE:
            return self._failover_update(ref.key, values)
        if ref.type == CONTROL:
            return self._control_update(values)
        if ref.type == HOST and self._hosts is not None:
            return self._hosts.update(ref.key, values)
        if ref.type == LEASE:
            return self._lease_update(ref.key, values)
        return NOT_IMPLEMENTED

    def create(self, type_name: str, values: Sequence[tuple[str, bytes]]) -> ObjectRef | int:
        if type_name == HOST and self._hosts is not None:
            return self._hosts.create(values)
        return NOT_IMPLEMENTED

    def remove(self, ref: ObjectRef) -> int:
        if ref.type == HOST and self._hosts is not None:
            return self._hosts.remove(ref.key)
        return NOT_IMPLEMENTED

    # -- failover-state --------------------------------------------------------------

    def _failover_values(self, name: str) -> list[tuple[str, Value]] | None:
        runner = self._daemon.runners.get(name)
        if runner is None:
            return None
        config = runner.config
        machine = runner.partner.session.machine
        values: list[tuple[str, Value]] = [
            ("name", name.encode()),
            ("partner-address", _address(config.peer_address)),
            ("partner-port", int_value(config.peer_port)),
            ("local-address", _address(config.address)),
            ("local-port", int_value(config.port)),
            ("max-outstanding-updates", int_value(config.max_unacked_updates)),
            ("mclt", int_value(machine.mclt or 0)),
            ("load-balance-max-secs", int_value(config.load_balance_max_seconds)),
        ]
        if config.hba is not None:
            values.append(("load-balance-hba", config.hba))
        values += [
            ("partner-state", int_value(int(machine.partner))),
            ("local-state", int_value(int(machine.state))),
            ("partner-stos", int_value(machine.partner_stos)),
            ("local-stos", int_value(machine.stos)),
            ("hierarchy", int_value(0 if config.role == "primary" else 1)),
            ("last-packet-sent", int_value(0)),
            ("last-timestamp-received", int_value(machine.last_received)),
            ("skew", int_value(0)),
            ("max-response-delay", int_value(config.max_response_delay)),
            ("cur-unacked-updates", int_value(len(runner.partner.queue.unacked))),
        ]
        return values

    def _failover_update(self, name: str, values: Sequence[tuple[str, bytes]]) -> int:
        runner = self._daemon.runners.get(name)
        if runner is None:
            return NOT_FOUND
        for attribute, value in values:
            if attribute != "local-state":
                if attribute not in _FAILOVER_ATTRIBUTES:
                    return NOT_FOUND
                continue  # dhcpd accepts (and ignores) every other attribute it publishes
            state = read_int(value)
            if state is None:
                return INVALID_ARG
            if state != ServerState.PARTNER_DOWN:
                return NOT_IMPLEMENTED
            runner.partner_down()
        return SUCCESS

    def _control_update(self, values: Sequence[tuple[str, bytes]]) -> int:
        """dhcp_control_set_value: `state` may only become 2 (shut down)."""
        for attribute, value in values:
            if attribute != "state":
                return NOT_FOUND
            if read_int(value) != CONTROL_SHUTDOWN:
                return INVALID_ARG
            self._shutdown()
        return SUCCESS

    # -- lease -----------------------------------------------------------------------

    def _lease_lookup(self, values: Mapping[str, bytes]) -> ObjectRef | int:
        """dhcp_lease_lookup: each key given must find the same lease."""
        found: str | None = None
        table = self._daemon.view.table
        keys = 0
        if "ip-address" in values:
            keys += 1
            raw = values["ip-address"]
            ip = str(ipaddress.IPv4Address(raw)) if len(raw) == 4 else None
            if ip is None or self._lease(ip) is None:
                return NOT_FOUND
            found = ip
        candidates: list[Lease] | None = None
        for name in ("dhcp-client-identifier", "hardware-address"):
            if name not in values:
                continue
            keys += 1
            if name == "dhcp-client-identifier":
                candidates = table.by_client_id(values[name])
            else:
                hardware = hardware_from(values)
                if hardware is None:
                    return INVALID_ARG
                candidates = table.by_hardware(hardware)
            if not candidates:
                return NOT_FOUND
            if found is not None and found not in {lease.ip for lease in candidates}:
                return KEY_CONFLICT
            if found is None and len(candidates) > 1:
                return MULTIPLE
            found = found or candidates[0].ip
        if not keys:
            return NO_KEYS
        assert found is not None
        return ObjectRef(LEASE, found)

    def _lease_update(self, ip: str, values: Sequence[tuple[str, bytes]]) -> int:
        """dhcp_lease_set_value: `ends` supersedes the lease (0 expires it at once: the
        timers then expire and free it as any lease whose end passed); `state` (1-7,
        the failover binding statuses) moves it to that binding state as dhcpd's
        `supersede_lease` does, and in a failover pool tells the peer; the attributes
        dhcpd refuses or ignores are answered as it answers them; any other name sets a
        variable of the lease, as dhcpd does — refused when its `set` would not read
        back (a keyword such as `tstp`: dhcpd writes it and then drops the lease at its
        next start); `flags` is not done.  Every value is checked before anything
        changes: a refused update changes nothing."""
        lease = self._lease(ip)
        if lease is None:
            return NOT_FOUND
        changed, lines, causes = lease, [], []
        for name, value in values:
            if name in _LEASE_REFUSED:
                return _LEASE_REFUSED[name]
            if name in _LEASE_IGNORED:
                continue
            number = read_int(value)
            if name == "ends" and number is not None:
                lines.append(f"lease {ip} end changed from {_seconds(changed.ends)} to {number}")
                causes.append(f"end changed from {_seconds(changed.ends)} to {number}")
                changed = changed.replace(ends=number)
            elif name == "state" and number is not None:
                if number not in _STATUS_STATES:
                    return INVALID_ARG
                target, was = _STATUS_STATES[number], changed.binding_state or BindingState.FREE
                if target is was:
                    continue  # dhcpd: unchanged
                lines.append(f"lease {ip} state changed from {was.value} to {target.value}")
                causes.append(f"state changed from {was.value} to {target.value}")
                changed = set_by_operator(changed, target, self._service_for(ip))
            elif name in ("ends", "state") or not reads_back_as_variable(name):
                return INVALID_ARG
            elif name == "flags":
                return NOT_IMPLEMENTED
            else:
                # OMAPI carries no type: the value is data, as in dhcpd.
                bindings = list(changed.bindings)
                bind(bindings, name, value)
                causes.append(f"variable {name} set")
                changed = changed.replace(bindings=tuple(bindings))
        for line in lines:  # dhcpd logs an `ends` set to what it was as well
            self._daemon.logger.info("%s", line)
        if changed != lease:
            change = LeaseChange(Administered, changed, "OMAPI: " + "; ".join(causes))
            self._unsettled.append(self._daemon.stage_now([change]))
        return SUCCESS

    def _service_for(self, ip: str) -> FailoverService | None:
        config = self._daemon.config
        pool = config.pool_for_address(ipaddress.IPv4Address(ip))
        return service_for_pool(pool, self._daemon.failover_services(), config)

    def _lease(self, ip: str) -> Lease | None:
        lease = self._daemon.view.table.get(ip)
        if lease is not None:
            return lease
        pool = self._daemon.config.pool_for_address(ipaddress.IPv4Address(ip))
        if pool is None:
            return None
        return Lease(ip=ip, binding_state=BindingState.FREE)  # as dhcpd creates it

    def _lease_values(self, lease: Lease) -> list[tuple[str, Value]]:
        state = BindingStatus[(lease.binding_state or BindingState.FREE).name]
        values: list[tuple[str, Value]] = [
            ("state", int_value(int(state))),
            ("ip-address", ipaddress.IPv4Address(lease.ip).packed),
        ]
        if lease.uid:
            values.append(("dhcp-client-identifier", lease.uid))
        if lease.client_hostname is not None:
            values.append(("client-hostname", lease.client_hostname.encode("latin-1")))
        config = self._daemon.config
        address = ipaddress.IPv4Address(lease.ip)
        subnet = config.subnet_for_address(address)
        pool = config.pool_for_address(address)
        if subnet is not None:
            values.append(("subnet", ObjectRef("subnet", str(subnet.id))))
        if pool is not None:
            values.append(("pool", ObjectRef("pool", str(pool.id))))
        if lease.hardware is not None:
            values.append(("hardware-address", lease.hardware.address))
            values.append(("hardware-type", int_value(lease.hardware.htype)))
        for name in ("ends", "starts", "tstp", "tsfp", "atsfp", "cltt"):
            values.append((name, int_value(_seconds(getattr(lease, name)))))
        values.append(("flags", b"\0"))
        return values


def _address(text: str | None) -> bytes:
    return ipaddress.IPv4Address(text).packed if text else bytes(4)


def _seconds(value: int | None) -> int:
    """A TIME as dhcpd puts it on the wire: cut to 32 bits (`never` is all ones)."""
    return 0 if value is None else value & 0xFFFFFFFF

