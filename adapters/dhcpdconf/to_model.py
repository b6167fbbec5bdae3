"""Turn the parse tree of a valid dhcpd.conf into the frozen `DhcpConfig`.

The parser leaves ISC's shape — scopes linked to their parents, statements in source
order (`adapters/dhcpdconf/tree.py`).  This is a pure translation of that shape: every
scope gets an id (parents before children), its option statements become
`OptionSetting`s, and the effective parameters of each subnet and pool are resolved
once.  It expects a tree that parsed without errors; anything inconsistent raises
`ConfigModelError`, never a pydantic or lookup error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import fields

from pydantic import ValidationError

from adapters.dhcpdconf import tree as t
from domain.config.declarations import (
    AddressRange,
    ClassConfig,
    HardwareAddress,
    HostConfig,
    HostIdentifier,
    PoolConfig,
    SharedNetworkConfig,
    SubnetConfig,
)
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import ConfigModelError, DhcpConfig
from domain.config.option_settings import OptionSetting
from domain.config.parameters import ServerParameters, parameters_for_scopes
from domain.config.permits import PoolPermit
from domain.config.scopes import ROOT_SCOPE, Scope, SourceLocation, reply_scope_order
from domain.config.statements import DbTimeFormatStatement, OptionStatement

DHCP_CLIENT_IDENTIFIER = 61


def build_config(tree: t.ConfTree) -> DhcpConfig:
    """The validated model of a configuration that parsed without errors."""
    try:
        return _Builder(tree).build()
    except ConfigModelError:
        raise
    except (ValidationError, ValueError, KeyError) as exc:
        raise ConfigModelError(f"configuration model: {exc}") from exc


def option_setting(statement: OptionStatement) -> OptionSetting:
    """One option statement as the model keeps it."""
    return OptionSetting(
        op=statement.op,
        space=statement.universe,
        name=statement.name,
        code=statement.code,
        value=statement.constant_value(),
        text=statement.display_value(),
        compressed_list=statement.format.startswith("Dc"),
    )


def _where(where: t.Where | None) -> SourceLocation | None:
    return SourceLocation(file=where.file, line=where.line) if where is not None else None


class _Builder:
    """One translation: the scope table first, then the declarations that use it."""

    def __init__(self, tree: t.ConfTree) -> None:
        self.tree = tree
        self.parent_override = self._named_group_parents()
        self.subnet_ids = {id(subnet): i for i, subnet in enumerate(tree.subnets())}
        self.scope_ids: dict[int, int] = {}
        self.groups: list[t.Group] = []
        self.scopes: list[Scope] = []

    def _named_group_parents(self) -> dict[int, t.Group]:
        """A host with `group "NAME";` takes its inherited statements from that named
        group instead of the block it sits in (server/confpars.c, end of
        `parse_host_declaration`)."""
        overrides: dict[int, t.Group] = {}
        for host in self.tree.hosts.values():
            named = self.tree.named_groups.get(host.named_group or "")
            if named is not None and host.group is not named:
                overrides[id(host.group)] = named
        return overrides

    def _parent(self, group: t.Group) -> t.Group | None:
        return self.parent_override.get(id(group), group.parent)

    def _declared_groups(self) -> Iterable[t.Group]:
        yield self.tree.root
        yield from self.tree.named_groups.values()
        for network in self.tree.shared_networks:
            yield network.group
            for subnet in network.subnets:
                yield subnet.group
            for pool in network.pools:
                yield pool.group
        for host in self.tree.hosts.values():
            yield host.group
        for client_class in self._all_classes():
            yield client_class.group

    def _all_classes(self) -> Iterable[t.ClientClass]:
        pending = list(self.tree.classes.values())
        while pending:
            client_class = pending.pop(0)
            yield client_class
            pending.extend(client_class.subclasses.values())

    def _number_scopes(self) -> None:
        """Give every scope an id, each parent before its children."""
        for group in self._declared_groups():
            chain: list[t.Group] = []
            current: t.Group | None = group
            while current is not None and id(current) not in self.scope_ids:
                chain.append(current)
                current = self._parent(current)
            for member in reversed(chain):
                self.scope_ids[id(member)] = len(self.groups)
                self.groups.append(member)

    def _scope(self, group: t.Group) -> Scope:
        return self.scopes[self.scope_ids[id(group)]]

    def _make_scopes(self) -> None:
        for index, group in enumerate(self.groups):
            parent = self._parent(group)
            self.scopes.append(
                Scope(
                    id=index,
                    kind=group.kind,
                    parent=self.scope_ids[id(parent)] if parent is not None else None,
                    name=group.name,
                    authoritative=group.authoritative,
                    options=tuple(
                        option_setting(s) for s in group.statements
                        if isinstance(s, OptionStatement)
                    ),
                    statements=tuple(group.statements),
                    where=_where(group.where),
                )
            )

    def build(self) -> DhcpConfig:
        self._number_scopes()
        self._make_scopes()
        if self.scopes[ROOT_SCOPE].kind != "global":
            raise ConfigModelError("the tree's root is not the global scope")
        pools_seen: list[PoolConfig] = []
        networks = tuple(self._shared_network(n, pools_seen) for n in self.tree.shared_networks)
        root = self.scopes[ROOT_SCOPE]
        return DhcpConfig(
            scopes=tuple(self.scopes),
            shared_networks=networks,
            hosts=tuple(self._host(h) for h in self.tree.hosts.values()),
            classes=tuple(self._class(c) for c in self.tree.classes.values()),
            failover_peers=tuple(
                self._failover_peer(p, pools_seen) for p in self.tree.failover_peers.values()
            ),
            global_parameters=parameters_for_scopes([root], authoritative=root.authoritative),
            db_time_format=self._db_time_format(),
            lease_id_format=self.tree.lease_id_format or "octal",
            keys=tuple(self.tree.keys.values()),
            files=tuple(self.tree.files),
        )

    def _db_time_format(self) -> str:
        """dhcpd applies `db-time-format` globally the moment it reads it, so the last
        one wins wherever it appears.  Statements are visited scope by scope (parents
        first), which is file order for the usual single global statement."""
        chosen = "default"
        for group in self.groups:
            for statement in group.statements:
                if isinstance(statement, DbTimeFormatStatement):
                    chosen = "local" if statement.local else "default"
        return chosen

    def _shared_network(
        self, network: t.SharedNetwork, pools_seen: list[PoolConfig]
    ) -> SharedNetworkConfig:
        subnets = tuple(
            SubnetConfig(
                id=self.subnet_ids[id(subnet)],
                network=subnet.network,
                shared_network=network.name,
                scope=self._scope(subnet.group),
                parameters=self._parameters(subnet=subnet.group),
                netmask=_irregular_mask(subnet),
                where=_where(subnet.where),
            )
            for subnet in network.subnets
        )
        pools: list[PoolConfig] = []
        for pool in network.pools:
            built = self._pool(pool, network, len(pools_seen))
            pools.append(built)
            pools_seen.append(built)
        return SharedNetworkConfig(
            name=network.name,
            implicit=network.implicit,
            scope=self._scope(network.group),
            subnets=subnets,
            pools=tuple(pools),
            failover_peer=network.failover_peer,
            interface=network.interface,
            where=_where(network.where),
        )

    def _parameters(
        self,
        *,
        subnet: t.Group,
        pool: t.Group | None = None,
        network: t.Group | None = None,
    ) -> ServerParameters:
        order = reply_scope_order(
            self.scopes,
            subnet=self.scope_ids[id(subnet)],
            pool=self.scope_ids[id(pool)] if pool is not None else None,
            pool_network=self.scope_ids[id(network)] if network is not None else None,
        )
        return parameters_for_scopes(
            [self.scopes[i] for i in order], authoritative=subnet.authoritative
        )

    def _pool(self, pool: t.Pool, network: t.SharedNetwork, pool_id: int) -> PoolConfig:
        ranges = tuple(self._range(r, network) for r in pool.ranges)
        first_subnet = self._subnet_holding(pool.ranges[0].low, network) if pool.ranges else None
        parameters = ServerParameters()
        if first_subnet is not None:
            parameters = self._parameters(
                subnet=first_subnet.group, pool=pool.group, network=network.group
            )
        return PoolConfig(
            id=pool_id,
            shared_network=network.name,
            scope=self._scope(pool.group),
            ranges=ranges,
            permit_list=tuple(_permit(p) for p in pool.permit_list),
            prohibit_list=tuple(_permit(p) for p in pool.prohibit_list),
            failover_peer=pool.failover_peer,
            valid_from=pool.valid_from,
            valid_until=pool.valid_until,
            implicit=pool.implicit,
            parameters=parameters,
            where=_where(pool.where),
        )

    @staticmethod
    def _subnet_holding(
        address: ipaddress.IPv4Address, network: t.SharedNetwork
    ) -> t.Subnet | None:
        """The first of the network's subnets that holds `address`, by its written
        mask: the subnet dhcpd gives a pool range's leases (`parse_address_range`)."""
        for subnet in network.subnets:
            mask = int(subnet.netmask or subnet.network.netmask)
            if int(address) & mask == int(subnet.network.network_address) & mask:
                return subnet
        return None

    def _range(self, address_range: t.Range, network: t.SharedNetwork) -> AddressRange:
        low, high = sorted((address_range.low, address_range.high))
        subnet = self._subnet_holding(low, network)
        if subnet is None:
            raise ConfigModelError(f"range {low} {high} is on no subnet of {network.name}")
        return AddressRange(
            low=low,
            high=high,
            dynamic_bootp=address_range.dynamic_bootp,
            subnet_id=self.subnet_ids[id(subnet)],
            subnet=subnet.network,
            where=_where(address_range.where),
        )

    def _host(self, host: t.Host) -> HostConfig:
        hardware = None
        if host.hardware is not None:
            hardware = HardwareAddress(htype=host.hardware[0], address=host.hardware[1])
        identifier = None
        if host.host_identifier is not None:
            identifier = HostIdentifier(
                option=host.host_identifier[0], value=host.host_identifier[1]
            )
        return HostConfig(
            name=host.name,
            scope=self._scope(host.group),
            hardware=hardware,
            client_identifier=host.client_identifier or _client_id_statement(host.group),
            fixed_addresses=tuple(host.fixed_addresses),
            host_identifier=identifier,
            named_group=host.named_group,
            where=_where(host.where),
        )

    def _class(self, client_class: t.ClientClass) -> ClassConfig:
        return ClassConfig(
            name=client_class.name,
            scope=self._scope(client_class.group),
            superclass=client_class.superclass,
            hash_key=client_class.hash_key,
            match_if=client_class.match_if,
            match=client_class.match,
            spawn=client_class.spawn,
            lease_limit=client_class.lease_limit,
            subclasses=tuple(self._class(c) for c in client_class.subclasses.values()),
            where=_where(client_class.where),
        )

    @staticmethod
    def _failover_peer(peer: t.FailoverPeer, pools: list[PoolConfig]) -> FailoverPeerConfig:
        # The tree already holds every field with ISC's defaults filled in.
        settings = {f.name: getattr(peer, f.name) for f in fields(peer) if f.name != "where"}
        return FailoverPeerConfig(
            **settings,
            referring_pools=tuple(p.id for p in pools if p.failover_peer == peer.name),
            where=_where(peer.where),
        )


def _irregular_mask(subnet: t.Subnet) -> ipaddress.IPv4Address | None:
    """The written mask, kept only when `network` cannot express it."""
    if subnet.netmask is None or subnet.netmask == subnet.network.netmask:
        return None
    return subnet.netmask


def _permit(permit: t.Permit) -> PoolPermit:
    return PoolPermit(kind=permit.kind, class_name=permit.class_name, after=permit.after)


def _client_id_statement(group: t.Group) -> bytes | None:
    """dhcpd also indexes a host by the value of the first top-level
    `option dhcp-client-identifier` (a supersede) among its statements (server/mdb.c
    `enter_host`, `find_uid_statement`)."""
    for statement in group.statements:
        if (
            isinstance(statement, OptionStatement)
            and statement.op == "supersede"
            and statement.universe == "dhcp"
            and statement.code == DHCP_CLIENT_IDENTIFIER
        ):
            return statement.constant_value()
    return None
