"""failover peer declarations and dhcpd's failover sanity check (ISC
server/confpars.c `parse_failover_peer`, `parse_failover_state_declaration`,
`parse_failover_state`; failover.c `dhcp_failover_sanity_check`).

Inside the peer block, `peer` in front of a statement makes it describe the partner
(`peer address`, `peer port`…).  Errors in the block are reported as ordinary parse
errors, so any of them rejects the configuration.  After the whole configuration is
read, every peer must be named by at least one pool (`failover peer "x";` in a pool;
a shared network's peer inherited by its pools does not count, as in dhcpd).
"""

from __future__ import annotations

from adapters.dhcpdconf.blocks import where
from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import Diagnostics, FatalConfigError
from adapters.dhcpdconf.lexer import Lexer, Token, is_identifier
from adapters.dhcpdconf.option_definitions import atoi, signed_atoi
from adapters.dhcpdconf.primitives import (
    parse_date,
    parse_ip_addr_or_hostname,
    parse_numeric_aggregate,
    parse_semi,
    skip_to_rbrace,
    skip_to_semi,
)
from adapters.dhcpdconf.tree import FailoverPeer, Group
from domain.config.checks import (
    PeerSettings,
    failover_peer_problems,
    failover_sanity,
    hba_from_split,
)

# Statements that take one number, and the FailoverPeer field each sets (for the
# local side, or with `peer` in front, for the partner).
_PEER_NUMBERS = {
    "MAX_LEASE_MISBALANCE": ("max_lease_misbalance", "max_lease_misbalance"),
    "MAX_LEASE_OWNERSHIP": ("max_lease_ownership", "max_lease_ownership"),
    "MAX_BALANCE": ("max_balance", "max_balance"),
    "MIN_BALANCE": ("min_balance", "min_balance"),
    "AUTO_PARTNER_DOWN": ("auto_partner_down", "auto_partner_down"),
    "MAX_RESPONSE_DELAY": ("max_response_delay", "peer_max_response_delay"),
    "MAX_UNACKED_UPDATES": ("max_unacked_updates", "peer_max_unacked_updates"),
    "MCLT": ("mclt", "mclt"),
}
_FAILOVER_STATES = frozenset(
    {
        "UNKNOWN_STATE",
        "PARTNER_DOWN",
        "NORMAL",
        "COMMUNICATIONS_INTERRUPTED",
        "CONFLICT_DONE",
        "RESOLUTION_INTERRUPTED",
        "POTENTIAL_CONFLICT",
        "RECOVER",
        "RECOVER_WAIT",
        "RECOVER_DONE",
        "SHUTDOWN",
        "PAUSED",
        "STARTUP",
    }
)
# Values ISC puts in place of a zero (unset) setting at the end of the block.
_DEFAULTS = {
    "port": 647,
    "peer_port": 647,
    "max_lease_misbalance": 15,
    "max_lease_ownership": 10,
    "max_balance": 3600,
    "min_balance": 60,
    "max_unacked_updates": 100,
    "max_response_delay": 20,
}


class _Abandon(Exception):
    """The block was given up after an error (ISC returns without entering the peer)."""


def parse_failover_peer(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind) -> None:
    """After `failover`: `peer NAME { … }`, `peer NAME;` (a shared network's
    reference) or `peer NAME state { … }`."""
    declared_at = where(cf)
    if cf.next().kind != "PEER":
        cf.warn('expecting "peer"')
        skip_to_semi(cf)
        return
    tok = cf.next()
    if not (is_identifier(tok.kind) or tok.kind == "STRING"):
        cf.warn("expecting failover peer name.")
        skip_to_semi(cf)
        return
    name = tok.text.split("\0")[0]
    existing = ctx.tree.failover_peers.get(name)
    tok = cf.next()
    if tok.kind == ";":
        if kind is not DeclKind.SHARED_NET:
            cf.warn("failover peer reference not in shared-network declaration")
        elif existing is None:
            cf.warn(f"reference to unknown failover peer {name}")
        else:
            share = ctx.shared_network_of(group)
            if share is not None:
                share.failover_peer = name
        return
    if tok.kind == "STATE":
        if existing is None:
            cf.warn(f"state declaration for unknown failover peer {name}")
            return
        _state_block(cf, existing)
        return
    if tok.kind != "{":
        cf.warn("expecting left brace")
        skip_to_semi(cf)
    if existing is not None:
        cf.warn(f"redeclaration of failover peer {name}")
        skip_to_rbrace(cf, 1)
        return
    peer = FailoverPeer(
        name=name,
        where=declared_at,
        port=0,
        peer_port=0,
        max_response_delay=0,
        max_unacked_updates=0,
        max_lease_misbalance=0,
        max_lease_ownership=0,
        min_balance=0,
        max_balance=0,
    )
    try:
        _peer_block(cf, peer)
    except _Abandon:
        return
    _finish_peer(cf, peer)
    if kind is DeclKind.SHARED_NET:
        share = ctx.shared_network_of(group)
        if share is not None:
            share.failover_peer = name
    ctx.tree.failover_peers[name] = peer
    ctx.failover_pool_count.setdefault(name, 0)


def _number(cf: Lexer, message: str) -> int:
    tok = cf.next()
    if tok.kind != "NUMBER":
        cf.warn(message)
        skip_to_rbrace(cf, 1)
        raise _Abandon
    return atoi(tok.text)


def _peer_block(cf: Lexer, peer: FailoverPeer) -> None:
    """The statements of the block, up to and including its closing brace."""
    while True:
        partner = False
        tok = cf.next()
        while tok.kind == "PEER":
            partner = True
            tok = cf.next()
        tok = _peer_statement(cf, peer, tok, partner)
        if tok.kind == "}":
            return
        if not parse_semi(cf):
            skip_to_rbrace(cf, 1)
            raise _Abandon


def _peer_statement(cf: Lexer, peer: FailoverPeer, tok: Token, partner: bool) -> Token:
    """One statement whose first word is `tok`; returns the token ISC's loop tests
    for the closing brace (the last one read)."""
    kind = tok.kind
    if kind == "}":
        return tok
    if kind in ("PRIMARY", "SECONDARY"):
        peer.role = "primary" if kind == "PRIMARY" else "secondary"
        if kind == "SECONDARY" and peer.hba is not None:
            cf.warn("secondary may not define load balance settings.")
    elif kind == "ADDRESS":
        address = parse_ip_addr_or_hostname(cf)
        if address is None:
            skip_to_rbrace(cf, 1)
            raise _Abandon
        if partner:
            peer.peer_address = address
        else:
            peer.address = address
    elif kind == "PORT":
        tok = cf.next()
        if tok.kind != "NUMBER":
            cf.warn("expecting number")
            skip_to_rbrace(cf, 1)
        setattr(peer, "peer_port" if partner else "port", signed_atoi(tok.text))
    elif kind in _PEER_NUMBERS:
        field_name = _PEER_NUMBERS[kind][1 if partner else 0]
        setattr(peer, field_name, _number(cf, "expecting number."))
    elif kind == "HBA":
        _hba(cf, peer)
    elif kind == "SPLIT":
        _split(cf, peer)
    elif kind == "LOAD":
        return _load_balance(cf, peer)
    else:
        cf.warn("invalid statement in peer declaration")
        skip_to_rbrace(cf, 1)
        raise _Abandon
    return tok


def _hba(cf: Lexer, peer: FailoverPeer) -> None:
    if peer.role == "secondary":
        cf.warn("secondary may not define load balance settings.")
    octets = parse_numeric_aggregate(cf, 32, ":", 16, 8)
    if octets is None:
        skip_to_rbrace(cf, 1)
        raise _Abandon
    # Only an early end of file (already reported) leaves octets missing; ISC then
    # keeps whatever its buffer held, zeros here.
    peer.hba = bytes(o & 0xFF for o in octets) + bytes(32 - len(octets))


def _split(cf: Lexer, peer: FailoverPeer) -> None:
    tok = cf.next()
    if peer.role == "secondary":
        cf.warn("secondary may not define load balance settings.")
    if tok.kind != "NUMBER":
        cf.warn("expecting number")
        skip_to_rbrace(cf, 1)
        raise _Abandon
    split = atoi(tok.text)
    if split > 256:
        cf.warn("split must be between 0 and 256, inclusive")
        return
    peer.split = split
    peer.hba = hba_from_split(split)


def _load_balance(cf: Lexer, peer: FailoverPeer) -> Token:
    """`load balance max seconds N`."""
    steps = (
        ("BALANCE", "expecting 'balance'"),
        ("TOKEN_MAX", "expecting 'max'"),
        ("SECONDS", "expecting 'secs'"),
        ("NUMBER", "expecting number"),
    )
    tok = Token("LOAD", "load")
    for kind, message in steps:
        tok = cf.next()
        if tok.kind != kind:
            cf.warn(message)
            skip_to_rbrace(cf, 1)
            return tok
    peer.load_balance_max_seconds = atoi(tok.text)
    return tok


def _finish_peer(cf: Lexer, peer: FailoverPeer) -> None:
    """The checks at the closing brace, then ISC's defaults for unset values."""
    settings = PeerSettings(
        primary=peer.role == "primary",
        has_peer_address=peer.peer_address is not None,
        has_hba=peer.hba is not None,
        mclt=peer.mclt or 0,
    )
    for problem in failover_peer_problems(settings):
        cf.warn(problem)
    for field_name, default in _DEFAULTS.items():
        if not getattr(peer, field_name):
            setattr(peer, field_name, default)


def _state_block(cf: Lexer, peer: FailoverPeer) -> None:
    """`failover peer NAME state { my state S [at DATE]; partner state …; mclt N; }`."""
    tok = cf.next()
    if tok.kind != "{":
        cf.warn("expecting left brace")
        if tok.kind != ";":
            skip_to_semi(cf)
        return
    while True:
        tok = cf.next()
        if tok.kind == "}":
            return
        if tok.kind in ("MY", "PARTNER"):
            if cf.next().kind != "STATE":
                cf.warn("expecting 'state'")
                skip_to_rbrace(cf, 1)
                return
            parse_failover_state(cf)
        elif tok.kind == "MCLT":
            if peer.role == "primary":
                cf.warn("mclt not valid for primary")
                skip_to_rbrace(cf, 1)
                return
            number = cf.next()
            if number.kind != "NUMBER":
                cf.warn("expecting a number.")
                skip_to_rbrace(cf, 1)
                return
            peer.mclt = atoi(number.text)
            parse_semi(cf)
        else:
            cf.warn("expecting state setting.")
            skip_to_rbrace(cf, 1)
            return


def parse_failover_state(cf: Lexer) -> tuple[str, int | None] | None:
    """ISC parse_failover_state: a state keyword, then `;` or `at DATE;`.  Returns
    (state token, time or None for "now"), or None after an error."""
    tok = cf.next()
    if tok.kind not in _FAILOVER_STATES:
        cf.warn("unknown failover state")
        skip_to_semi(cf)
        return None
    after = cf.next()
    if after.kind == ";":
        return tok.kind, None
    if after.kind != "AT":
        cf.warn('expecting "at"')
        skip_to_semi(cf)
        return None
    when = parse_date(cf)
    if not when:
        return None
    return tok.kind, when


def failover_sanity_check(ctx: ParseContext, diagnostics: Diagnostics) -> None:
    """failover.c dhcp_failover_sanity_check, run after the configuration is read.
    Raises FatalConfigError when a peer has no referring pool."""
    peers = [
        (name, ctx.failover_pool_count.get(name, 0), peer.load_balance_max_seconds)
        for name, peer in reversed(ctx.tree.failover_peers.items())
    ]
    lines, fatal = failover_sanity(peers)
    for line in lines:
        if line.is_error:
            diagnostics.error(line.text)
        else:
            diagnostics.warning(line.text)
    if fatal is not None:
        raise FatalConfigError(fatal)
