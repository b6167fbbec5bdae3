"""The daemon's share of `on expiry` / `on release` bodies: which change runs one, the
body read from its lease-file text, and its output placed where dhcpd writes it.

dhcpd runs such a body inside `supersede_lease` / `release_lease`, before it logs the
request's own line (`DHCPRELEASE of … (found)`), so for a request the body's lines and
commands go in front of the decision's; a change made by a timer or by the failover
peer runs its body on its own.  The rules are `domain.lease_event_bodies`'; this module
only parses (adapters) and places.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace

from adapters.dhcpdconf.statement_body import UnreadableBody, parse_statement_body
from domain.config.model import DhcpConfig
from domain.config.statements import Statement
from domain.dhcp_decision import Decision, LeaseChange, error
from domain.lease import Lease
from domain.lease_event_bodies import body_decision, configured_bodies, fired_body
from domain.lease_events import Released

# Distinct body texts are few (one per `on` block of the configuration, and those read
# from an old lease file); past this many the cache starts again.
_MAX_PARSED = 1024


class LeaseBodies:
    """Finds and prepares the bodies that lease changes run."""

    def __init__(self, config: DhcpConfig) -> None:
        self.config = config
        # The configuration's own bodies need no reading back (nor its option spaces
        # and classes, which a body read with the standard ones would lack).
        self._configured = configured_bodies(config)
        self._parsed: dict[str, tuple[Statement, ...] | UnreadableBody] = {}

    def for_change(self, old: Lease | None, change: LeaseChange, now: int) -> Decision | None:
        """What the body `change` runs writes and asks to run (None: it runs none)."""
        if old is None or (old.on_expiry is None and old.on_release is None):
            return None
        pool = self.config.pool_for_address(ipaddress.IPv4Address(old.ip))
        fired = fired_body(old, change.lease, released=change.event is Released,
                           failover=pool is not None and pool.failover_peer is not None)
        if fired is None:
            return None
        event, text = fired
        body = self._statements(text)
        if isinstance(body, UnreadableBody):
            return Decision(log=(error(f"on {event} statements of lease {old.ip} not run:"
                                       f" they do not parse: {body}"),))
        return body_decision(body, old, now)

    def merged(self, decision: Decision, record: Callable[[str], Lease | None],
               now: int) -> Decision:
        """`decision` with the output of the bodies its changes run in front of its own
        (`record` gives an address's record before the decision)."""
        if not decision.changes:
            return decision
        before: dict[str, Lease | None] = {}
        ran: list[Decision] = []
        for change in decision.changes:
            ip = change.lease.ip
            old = before[ip] if ip in before else record(ip)
            before[ip] = change.lease
            output = self.for_change(old, change, now)
            if output is not None:
                ran.append(output)
        for output in reversed(ran):
            decision = in_front(output, decision)
        return decision

    def _statements(self, text: str) -> tuple[Statement, ...] | UnreadableBody:
        configured = self._configured.get(text)
        if configured is not None:
            return configured
        known = self._parsed.get(text)
        if known is None:
            try:
                known = parse_statement_body(text)
            except UnreadableBody as unreadable:
                known = unreadable
            if len(self._parsed) >= _MAX_PARSED:
                self._parsed.clear()
            self._parsed[text] = known
        return known


def in_front(first: Decision, then: Decision) -> Decision:
    """`then` with `first`'s lines and commands before its own."""
    shift = len(first.log)
    return replace(
        then,
        log=first.log + then.log,
        commands=first.commands + tuple(replace(c, at=c.at + shift) for c in then.commands),
    )
