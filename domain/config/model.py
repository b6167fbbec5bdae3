"""The validated configuration the DHCP server runs on (`DhcpConfig`).

Built once from a dhcpd.conf that parsed without errors, frozen, and shared by every
request.  Besides the declarations it answers the questions the server asks per
packet — which subnet and shared network an address is on, which host a client is,
which pools it may use, which options and parameters apply — following ISC dhcpd's
rules, named in each method.

Static resolution covers constant statements only.  `if`/`switch` blocks and options set
by expressions stay in each scope's `statements` and are evaluated at request time, in
the order `execution_order` gives, on top of the values resolved here.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Sequence
from functools import cached_property
from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from domain.config.declarations import (
    AddressRange,
    ClassConfig,
    HostConfig,
    PoolConfig,
    SharedNetworkConfig,
    SubnetConfig,
)
from domain.config.dns import TsigKey
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.frozen_model import FrozenModel
from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.parameters import ServerParameters, parameters_for_scopes
from domain.config.scopes import ROOT_SCOPE, Scope, reply_scope_order, scope_chain


class ConfigModelError(ValueError):
    """A parse tree could not be turned into a consistent configuration model."""


def isc_subnet_search_order(networks: Sequence[ipaddress.IPv4Network]) -> list[int]:
    """The order dhcpd searches subnets in, as indexes into `networks` (declaration
    order).

    dhcpd pushes each new subnet at the front of its list unless it is narrower than an
    overlapping subnet already there, in which case it goes just before that one
    (server/mdb.c `enter_subnet`).  So a narrower subnet declared after a wider one is
    found first, but a wider one declared later hides an earlier narrower one.
    """
    order: list[int] = []
    for index, network in enumerate(networks):
        for position, other in enumerate(order):
            wider = networks[other]
            if network.overlaps(wider) and network.prefixlen > wider.prefixlen:
                order.insert(position, index)
                break
        else:
            order.insert(0, index)
    return order


class DhcpConfig(FrozenModel):
    """Everything the server needs from dhcpd.conf.

    `scopes[i].id == i`, and scope 0 is the global scope.  `global_parameters` are
    resolved from the global scope alone, which is all dhcpd consults for start-up
    settings (lease-file-name, pid-file-name, local-port, log-facility,
    abandon-lease-time…).  `db_time_format` and `lease_id_format` are dhcpd's global
    lease-file settings.
    """

    scopes: tuple[Scope, ...]
    shared_networks: tuple[SharedNetworkConfig, ...] = ()
    hosts: tuple[HostConfig, ...] = ()
    classes: tuple[ClassConfig, ...] = ()
    failover_peers: tuple[FailoverPeerConfig, ...] = ()
    global_parameters: ServerParameters = ServerParameters()
    db_time_format: Literal["default", "local"] = "default"
    lease_id_format: Literal["octal", "hex"] = "octal"
    # `key` declarations (OMAPI's `omapi-key` names one); left out of dumps (secrets).
    keys: tuple[TsigKey, ...] = Field(default=(), exclude=True)
    files: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> DhcpConfig:
        if not self.scopes or self.scopes[ROOT_SCOPE].kind != "global":
            raise ValueError("scope 0 must be the global scope")
        for index, scope in enumerate(self.scopes):
            if scope.id != index:
                raise ValueError(f"scope {index} has id {scope.id}")
            if (scope.parent is None) != (index == ROOT_SCOPE):
                raise ValueError(f"scope {index} must have a parent unless it is global")
            if scope.parent is not None and not 0 <= scope.parent < index:
                raise ValueError(f"scope {index} names parent {scope.parent}, not made before it")
        if [pool.id for pool in self.pools] != list(range(len(self.pools))):
            raise ValueError("pool ids must number the pools in declaration order")
        if [subnet.id for subnet in self.subnets] != list(range(len(self.subnets))):
            raise ValueError("subnet ids must number the subnets in declaration order")
        for pool in self.pools:
            for span in pool.ranges:
                if not (
                    0 <= span.subnet_id < len(self.subnets)
                    and self.subnets[span.subnet_id].network == span.subnet
                    and self.subnets[span.subnet_id].shared_network == pool.shared_network
                ):
                    raise ValueError(f"range {span.low} names a subnet of another network")
        peers = {peer.name: peer for peer in self.failover_peers}
        for pool in self.pools:
            if pool.failover_peer is not None and pool.failover_peer not in peers:
                raise ValueError(f"pool {pool.id} names unknown failover peer {pool.failover_peer}")
        for peer in self.failover_peers:
            using = tuple(p.id for p in self.pools if p.failover_peer == peer.name)
            if peer.referring_pools != using:
                raise ValueError(f"failover peer {peer.name}: referring pools must be {using}")
        names = [host.name for host in self.hosts]
        if len(set(names)) != len(names):
            raise ValueError("host names must be unique")
        return self

    # ---- declarations by key -----------------------------------------------------------

    @cached_property
    def pools(self) -> tuple[PoolConfig, ...]:
        """Every pool, in declaration order (`pools[i].id == i`)."""
        return tuple(pool for network in self.shared_networks for pool in network.pools)

    @cached_property
    def subnets(self) -> tuple[SubnetConfig, ...]:
        """Every subnet, in the order the shared networks list them."""
        return tuple(subnet for network in self.shared_networks for subnet in network.subnets)

    def shared_network(self, name: str) -> SharedNetworkConfig | None:
        for network in self.shared_networks:
            if network.name == name:
                return network
        return None

    def pools_for_shared_network(self, name: str) -> tuple[PoolConfig, ...]:
        """The pools dhcpd may allocate from for a client on shared network `name`, in
        the order it tries them (server/dhcp.c `allocate_lease`)."""
        network = self.shared_network(name)
        return network.pools if network is not None else ()

    def failover_peer(self, name: str) -> FailoverPeerConfig | None:
        for peer in self.failover_peers:
            if peer.name == name:
                return peer
        return None

    def class_by_name(self, name: str) -> ClassConfig | None:
        """A top-level class by name; `permit members of` and `lease limit` refer to
        classes by name."""
        for client_class in self.classes:
            if client_class.name == name:
                return client_class
        return None

    # ---- addresses -----------------------------------------------------------------

    @cached_property
    def _subnet_search_order(self) -> tuple[SubnetConfig, ...]:
        subnets = self.subnets
        order = isc_subnet_search_order([s.network for s in subnets])
        return tuple(subnets[i] for i in order)

    def subnet_for_address(self, address: ipaddress.IPv4Address) -> SubnetConfig | None:
        """The subnet dhcpd assigns `address` to (common `find_subnet`): the first
        subnet containing it in dhcpd's search order.  Used for relayed requests
        (giaddr), for a client's ciaddr and for every lease address."""
        for subnet in self._subnet_search_order:
            if subnet.contains(address):
                return subnet
        return None

    def shared_network_for_address(
        self, address: ipaddress.IPv4Address
    ) -> SharedNetworkConfig | None:
        """The shared network of the subnet `address` is on: the unit dhcpd allocates
        from, since all its subnets are on one wire."""
        subnet = self.subnet_for_address(address)
        return self.shared_network(subnet.shared_network) if subnet is not None else None

    @cached_property
    def _ranges_by_low(
        self,
    ) -> tuple[list[int], list[tuple[int, PoolConfig, AddressRange]]] | None:
        """Every range as (high, pool, range), sorted by its low address, with the lows
        alongside for bisection: every request asks which pool holds an address, and a
        scan of all ranges grows with the configuration.  None when ranges overlap, as
        then only the declaration-order scan gives the first pool holding an address."""
        spans = sorted(
            ((int(r.low), int(r.high), pool, r) for pool in self.pools for r in pool.ranges),
            key=lambda span: span[0],
        )
        if any(later[0] <= earlier[1] for earlier, later in pairwise(spans)):
            return None
        return [span[0] for span in spans], [span[1:] for span in spans]

    def _pool_range_for_address(
        self, address: ipaddress.IPv4Address
    ) -> tuple[PoolConfig, AddressRange] | None:
        index = self._ranges_by_low
        if index is None or not isinstance(address, ipaddress.IPv4Address):
            for pool in self.pools:
                for span in pool.ranges:
                    if address in span:
                        return pool, span
            return None
        lows, spans = index
        at = bisect_right(lows, int(address)) - 1
        if at < 0:
            return None
        high, pool, span = spans[at]
        return (pool, span) if int(address) <= high else None

    def pool_for_address(self, address: ipaddress.IPv4Address) -> PoolConfig | None:
        """The pool whose ranges hold `address`: a lease belongs to exactly one pool."""
        found = self._pool_range_for_address(address)
        return found[0] if found is not None else None

    def subnet_for_lease(self, address: ipaddress.IPv4Address) -> SubnetConfig | None:
        """The subnet a pool address's lease belongs to: the one its range was
        declared for (dhcpd fixes `lease->subnet` when it creates the lease).  It
        differs from `subnet_for_address` only when a subnet is declared twice."""
        found = self._pool_range_for_address(address)
        return self.subnets[found[1].subnet_id] if found is not None else None

    # ---- hosts -----------------------------------------------------------------------

    @cached_property
    def _hosts_by_hardware(self) -> dict[tuple[int, bytes], tuple[HostConfig, ...]]:
        index: dict[tuple[int, bytes], list[HostConfig]] = {}
        for host in self.hosts:
            if host.hardware is not None:
                key = (host.hardware.htype, host.hardware.address)
                index.setdefault(key, []).append(host)
        return {key: tuple(hosts) for key, hosts in index.items()}

    @cached_property
    def _hosts_by_client_id(self) -> dict[bytes, tuple[HostConfig, ...]]:
        index: dict[bytes, list[HostConfig]] = {}
        for host in self.hosts:
            if host.client_identifier:
                index.setdefault(host.client_identifier, []).append(host)
        return {key: tuple(hosts) for key, hosts in index.items()}

    def hosts_by_hardware(self, htype: int, address: bytes) -> tuple[HostConfig, ...]:
        """Every host declared with this hardware address, in declaration order: dhcpd
        chains them (server/mdb.c `enter_host`) and picks the one whose fixed address
        is on the client's network."""
        return self._hosts_by_hardware.get((htype, bytes(address)), ())

    def host_by_hardware(self, htype: int, address: bytes) -> HostConfig | None:
        """The first host with this hardware address; any match makes a client known."""
        hosts = self.hosts_by_hardware(htype, address)
        return hosts[0] if hosts else None

    def hosts_by_client_id(self, client_id: bytes) -> tuple[HostConfig, ...]:
        """Every host whose `dhcp-client-identifier` equals option 61 byte for byte, in
        declaration order.  dhcpd tries this lookup before the hardware one."""
        return self._hosts_by_client_id.get(bytes(client_id), ())

    def host_by_client_id(self, client_id: bytes) -> HostConfig | None:
        hosts = self.hosts_by_client_id(client_id)
        return hosts[0] if hosts else None

    def host_by_identifier(self, option: str, value: bytes) -> HostConfig | None:
        """The first host whose `host-identifier option OPTION VALUE` matches the
        packet's value of that option: dhcpd's third way of knowing a client, tried
        for each option some host names (server/mdb.c `find_hosts_by_option`)."""
        for host in self.hosts:
            identifier = host.host_identifier
            if identifier is not None and (identifier.option, identifier.value) == (
                option, bytes(value)
            ):
                return host
        return None

    # ---- scopes and what applies ---------------------------------------------------------

    def scope(self, scope_id: int) -> Scope:
        return self.scopes[scope_id]

    def scope_chain(self, scope_id: int) -> tuple[Scope, ...]:
        """A scope and its ancestors, global first."""
        return tuple(self.scopes[i] for i in scope_chain(self.scopes, scope_id))

    @cached_property
    def constant_scope_runs(
        self,
    ) -> dict[tuple[int, ...], tuple[dict[int, bytes], ServerParameters]]:
        """The DHCP options and parameters a chain of scopes without request-time
        statements yields, keyed by the authoritative bit then the chain's scope ids;
        filled by `domain.reply_options.run_scopes`.  Such a chain gives the same
        answer to every client, and resolving it was a tenth of an exchange's CPU."""
        return {}

    @cached_property
    def _execution_orders(
        self,
    ) -> dict[tuple[int | None, int | None, str | None, tuple[int, ...], int | None],
              tuple[Scope, ...]]:
        return {}

    def execution_order(
        self,
        *,
        subnet: SubnetConfig | None = None,
        pool: PoolConfig | None = None,
        classes: Sequence[ClassConfig] = (),
        host: HostConfig | None = None,
    ) -> tuple[Scope, ...]:
        """The scopes dhcpd runs for a reply, in order; later ones win (see
        `reply_scope_order`: host > class > pool > subnet > shared-network > group >
        global).  `classes` are in the order the client matched them.  Every reply asks
        this, for a handful of combinations: each is worked out once."""
        key = (
            subnet.scope.id if subnet is not None else None,
            pool.scope.id if pool is not None else None,
            pool.shared_network if pool is not None else None,
            tuple(c.scope.id for c in classes),
            host.scope.id if host is not None else None,
        )
        known = self._execution_orders.get(key)
        if known is None:
            subnet_scope, pool_scope, pool_network, class_scopes, host_scope = key
            network = self.shared_network(pool_network) if pool_network is not None else None
            order = reply_scope_order(
                self.scopes, subnet=subnet_scope, pool=pool_scope,
                pool_network=network.scope.id if network is not None else None,
                classes=list(class_scopes), host=host_scope,
            )
            known = self._execution_orders[key] = tuple(self.scopes[i] for i in order)
        return known

    def effective_options(
        self,
        *,
        subnet: SubnetConfig | None = None,
        pool: PoolConfig | None = None,
        classes: Sequence[ClassConfig] = (),
        host: HostConfig | None = None,
    ) -> dict[tuple[str, int], OptionSetting]:
        """The constant option state (every space) those scopes produce, keyed by
        (space, code); see `execution_order` for the precedence."""
        scopes = self.execution_order(subnet=subnet, pool=pool, classes=classes, host=host)
        return combine_option_settings(option for scope in scopes for option in scope.options)

    def effective_parameters(
        self,
        *,
        subnet: SubnetConfig | None = None,
        pool: PoolConfig | None = None,
        classes: Sequence[ClassConfig] = (),
        host: HostConfig | None = None,
    ) -> ServerParameters:
        """Lease times and flags for a reply, precedence host > class > pool > subnet >
        shared-network > group > global, ISC defaults where nothing is set.

        `authoritative` is the subnet's bit when a subnet is given (dhcpd asks the
        subnet), else that of the last scope run.
        """
        scopes = self.execution_order(subnet=subnet, pool=pool, classes=classes, host=host)
        authoritative = subnet.authoritative if subnet is not None else scopes[-1].authoritative
        return parameters_for_scopes(scopes, authoritative=authoritative)
