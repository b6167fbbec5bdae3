"""Pool permit lists: `allow`/`deny` terms inside a pool (ISC server/confpars.c
`get_permit`, `permit_list_match`).

Inside a pool, `allow X;` and `deny X;` always mean a permit-list term (so `deny
bootp;` is an error there, "expecting permit type."); elsewhere, and `ignore X;`
even in a pool, they set a server flag, which the executable-statement parser reads.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from adapters.dhcpdconf.context import ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.primitives import parse_date_core, parse_semi, skip_to_semi
from adapters.dhcpdconf.tree import Permit, Pool

# Permit words that stand alone, and those that must be followed by `clients`.
_COMPLETE = {"KNOWN_CLIENTS": "known-clients", "UNKNOWN_CLIENTS": "unknown-clients"}
_NEED_CLIENTS = {
    "UNKNOWN": "unknown-clients",
    "KNOWN": "known-clients",
    "AUTHENTICATED": "authenticated-clients",
    "UNAUTHENTICATED": "unauthenticated-clients",
    "ALL": "all-clients",
}


def get_permit(cf: Lexer, ctx: ParseContext, pool: Pool, is_allow: bool) -> None:
    """ISC get_permit: the term after `allow`/`deny` in a pool, added to the pool's
    permit (allow) or prohibit (deny) list."""
    tok = cf.next()
    need_clients = True
    if tok.kind in _COMPLETE:
        permit = Permit(_COMPLETE[tok.kind])
        need_clients = False
    elif tok.kind in _NEED_CLIENTS:
        permit = Permit(_NEED_CLIENTS[tok.kind])
    elif tok.kind == "DYNAMIC":
        if cf.next().kind != "TOKEN_BOOTP":
            cf.warn('expecting "bootp"')
            skip_to_semi(cf)
            return
        permit = Permit("dynamic-bootp-clients")
    elif tok.kind == "MEMBERS":
        need_clients = False
        if cf.next().kind != "OF":
            cf.warn('expecting "of"')
            skip_to_semi(cf)
            return
        name = cf.next()
        if name.kind != "STRING":
            cf.warn("expecting class name.")
            skip_to_semi(cf)
            return
        class_name = name.text.split("\0")[0]
        if class_name not in ctx.tree.classes:
            cf.warn(f"no such class: {class_name}")
        permit = Permit("class", class_name=class_name)
    elif tok.kind == "AFTER":
        need_clients = False
        if pool.valid_from or pool.valid_until:
            cf.warn('duplicate "after" clause.')
            skip_to_semi(cf)
            return
        after = parse_date_core(cf)
        permit = Permit("after", after=after)
        if is_allow:
            pool.valid_from = after
        else:
            pool.valid_until = after
    else:
        cf.warn("expecting permit type.")
        skip_to_semi(cf)
        return
    if need_clients and cf.next().kind != "CLIENTS":
        cf.warn('expecting "clients"')
        skip_to_semi(cf)
        return
    (pool.permit_list if is_allow else pool.prohibit_list).append(permit)
    parse_semi(cf)


def _matches(permit: Permit, other: Permit, known_classes: Collection[str]) -> bool:
    if permit.kind != other.kind:
        return False
    if permit.kind != "class":
        return True
    # ISC compares class pointers: every unknown class is the same null pointer.
    mine = permit.class_name if permit.class_name in known_classes else None
    theirs = other.class_name if other.class_name in known_classes else None
    return mine == theirs


def permit_list_match(
    lhs: Sequence[Permit], rhs: Sequence[Permit], known_classes: Collection[str]
) -> bool:
    """ISC permit_list_match: every term of `lhs` has a term of the same type in `rhs`
    (an empty `lhs` always matches, an empty `rhs` never does otherwise)."""
    if not lhs:
        return True
    if not rhs:
        return False
    return all(any(_matches(p, q, known_classes) for q in rhs) for p in lhs)


def same_permits(a: Pool, b: Pool, known_classes: Collection[str]) -> bool:
    """Whether two pools' allow and deny lists match both ways (pool merging)."""
    return (
        permit_list_match(a.permit_list, b.permit_list, known_classes)
        and permit_list_match(b.permit_list, a.permit_list, known_classes)
        and permit_list_match(a.prohibit_list, b.prohibit_list, known_classes)
        and permit_list_match(b.prohibit_list, a.prohibit_list, known_classes)
    )
