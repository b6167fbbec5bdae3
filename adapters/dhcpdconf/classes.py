"""class, subclass, vendor-class and user-class declarations (ISC server/confpars.c
`parse_class_declaration`).

A class becomes known (to `members of`, `subclass` and later `class` statements) only
at its closing brace, as in dhcpd.  A second `class "x"` adds to the first.  A subclass
shares its superclass's scope unless it has a body of its own, and it is found again
by its match value, so a repeated `subclass "c" "v"` updates the same subclass.
"""

from __future__ import annotations

from adapters.dhcpdconf import statement
from adapters.dhcpdconf.blocks import block_closed, parse_lbrace, where
from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.expressions import parse_boolean_expression, parse_data_expression
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.option_definitions import signed_atoi
from adapters.dhcpdconf.primitives import parse_cshl, parse_semi, skip_to_semi
from adapters.dhcpdconf.tree import ClientClass, Group

# The keyword that starts each kind of class declaration.
CLASS_TYPES = {
    "CLASS": "class",
    "SUBCLASS": "subclass",
    "VENDOR_CLASS": "vendor",
    "USER_CLASS": "user",
}
_IMPLICIT_NAMES = {"vendor": "implicit-vendor-class", "user": "implicit-user-class"}


def _match_value(cf: Lexer) -> bytes | None:
    """A subclass's match value: a string or a colon-separated hex list."""
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        return tok.text.encode("latin-1")
    if tok.kind in ("NUMBER_OR_NAME", "NUMBER"):
        return parse_cshl(cf)
    cf.warn("Expecting string or hex list.")
    return None


def _find_or_make(
    cf: Lexer, ctx: ParseContext, group: Group, class_type: str, name: str
) -> tuple[ClientClass, ClientClass | None, bool, bytes | None] | None:
    """The class the declaration is about: (class, superclass, is new, match value)."""
    declared_at = where(cf)
    superclass = ctx.tree.classes.get(name)
    if superclass is not None and class_type == "class":
        return superclass, None, False, None
    if superclass is None and class_type != "class":
        cf.warn(f"no class named {name}")
        skip_to_semi(cf)
        return None
    if class_type == "class":
        fresh = ClientClass(
            name=name, group=Group.child_of(group, "class", declared_at, name), where=declared_at
        )
        return fresh, None, True, None
    assert superclass is not None
    if class_type == "subclass":
        key = _match_value(cf)
        if key is None:
            return None
    else:
        # ISC sizes the value by the name but never copies the name into it.
        key = bytes(len(name.encode("latin-1")))
    existing = superclass.subclasses.get(key)
    if existing is not None:
        return existing, superclass, False, key
    sub = ClientClass(
        name=_IMPLICIT_NAMES.get(class_type, superclass.name),
        group=superclass.group,
        where=declared_at,
        superclass=superclass.name,
        hash_key=key,
        lease_limit=superclass.lease_limit,
    )
    superclass.subclasses[key] = sub
    return sub, superclass, True, key


def parse_class_declaration(cf: Lexer, ctx: ParseContext, group: Group, class_type: str) -> None:
    """`class "NAME" { … }`, `subclass "NAME" VALUE [{ … } | ;]`, and the old
    `vendor-class`/`user-class` forms."""
    tok = cf.next()
    if tok.kind != "STRING":
        cf.warn("Expecting class name")
        skip_to_semi(cf)
        return
    name = tok.text.split("\0")[0]
    found = _find_or_make(cf, ctx, group, class_type, name)
    if found is None:
        return
    cls, superclass, is_new, key = found
    if cls.superclass is not None:
        if cf.peek().kind == ";":
            cf.skip()
            return
        cls.group = Group.child_of(cls.group, "class", where(cf), cls.name)
    if not parse_lbrace(cf):
        return
    deleted = _parse_class_body(cf, ctx, cls, superclass)
    if deleted:
        if class_type == "class":
            ctx.tree.classes.pop(cls.name, None)
        elif superclass is not None and key is not None:
            superclass.subclasses.pop(key, None)
    elif class_type == "class" and is_new:
        ctx.tree.classes[name] = cls


def _parse_class_body(
    cf: Lexer, ctx: ParseContext, cls: ClientClass, superclass: ClientClass | None
) -> bool:
    """The statements between the braces; returns True if the class was `deleted`."""
    deleted = False
    matched_once = False
    submatched_once = False
    declaration = False
    while True:
        if block_closed(cf):
            return deleted
        tok = cf.peek()
        if tok.kind in ("DYNAMIC", "TOKEN_DELETED"):
            deleted = deleted or tok.kind == "TOKEN_DELETED"
            cf.skip()
            if not parse_semi(cf):
                return deleted
            continue
        if tok.kind == "MATCH":
            if superclass is not None:
                cf.warn("invalid match in subclass.")
                skip_to_semi(cf)
                return deleted
            cf.skip()
            if cf.peek().kind != "IF":
                if not _submatch(cf, ctx, cls, submatched_once):
                    return deleted
                submatched_once = True
                continue
            cf.skip()
            if matched_once:
                cf.warn("A class may only have one 'match if' clause.")
                skip_to_semi(cf)
                return deleted
            matched_once = True
            expr, lose = parse_boolean_expression(cf, ctx)
            if expr is None:
                if not lose:
                    cf.warn("expecting boolean expr.")
                    skip_to_semi(cf)
            else:
                cls.match_if = expr
                parse_semi(cf)
            continue
        if tok.kind == "SPAWN":
            cf.skip()
            if superclass is not None:
                cf.warn("invalid spawn in subclass.")
                skip_to_semi(cf)
                return deleted
            cls.spawn = True
            if cf.next().kind != "WITH":
                cf.warn("expecting with after spawn")
                skip_to_semi(cf)
                return deleted
            if not _submatch(cf, ctx, cls, submatched_once):
                return deleted
            submatched_once = True
            continue
        if tok.kind == "LEASE":
            cf.skip()
            if not _lease_limit(cf, cls):
                return deleted
            continue
        declaration = statement.parse_statement(
            cf, ctx, cls.group, DeclKind.CLASS, None, declaration
        )


def _submatch(cf: Lexer, ctx: ParseContext, cls: ClientClass, already: bool) -> bool:
    """`match DATA;` or the DATA of `spawn with DATA;`.  False ends the class body."""
    if already:
        cf.warn("can't override existing submatch/spawn.")
        skip_to_semi(cf)
        return False
    expr, lose = parse_data_expression(cf, ctx)
    if expr is None:
        if not lose:
            cf.warn("expecting data expr.")
            skip_to_semi(cf)
    else:
        cls.match = expr
        parse_semi(cf)
    return True


def _lease_limit(cf: Lexer, cls: ClientClass) -> bool:
    """`lease limit N;`.  False ends the class body."""
    tok = cf.next()
    if tok.kind != "LIMIT":
        cf.warn('expecting "limit"')
        if tok.kind != ";":
            skip_to_semi(cf)
        return False
    tok = cf.next()
    if tok.kind != "NUMBER":
        cf.warn("expecting a number")
        if tok.kind != ";":
            skip_to_semi(cf)
        return False
    limit = signed_atoi(tok.text)
    if limit < 0:
        # dhcpd sizes the billing table by the limit and cannot allocate it.
        raise FatalConfigError("no memory for billed leases.")
    cls.lease_limit = limit
    parse_semi(cf)
    return True
