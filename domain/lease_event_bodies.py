"""A lease's `on expiry` and `on release` bodies: kept with the lease, run when it ends.

dhcpd runs the scopes' statements when it commits a lease; an `on expiry { … }` or
`on release { … }` among them is not run then but attached to the lease
(common/execute.c), written into its dhcpd.leases record and run later:

- `on release` when the client releases the lease (server/mdb.c `release_lease`: the
  release body runs, the expiry body is dropped — one or the other, never both);
- `on expiry` when the lease stops being active for another reason
  (`make_binding_state_transition`): without a failover peer, active to anything but
  released (expired, and also abandoned); with a peer, active or expired to free or
  backup; a lease released under failover runs a release body still on it when it
  goes from released to free or backup (the peer's BNDUPD told this server of the
  release).

A renewal of a lease that has not ended keeps the bodies it had unless the statements
name the event again (`ack_lease`); an empty `on expiry;` clears one.  Bodies are kept
as text, as in dhcpd.leases: a body read from an ISC file runs the same way as one
this server wrote.  A body runs with the lease it belongs to — its address, times,
hardware and variables — and without a packet.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.config.model import DhcpConfig
from domain.config.statement_text import UnwritableStatement, statements_text
from domain.config.statements import IfStatement, OnStatement, Statement, SwitchStatement
from domain.dhcp_decision import Decision, LogLine, PendingCommand
from domain.eval_context import BindingScope, EvalContext
from domain.execute import execute_statements
from domain.lease import BindingState, Lease
from domain.reply_options import add_statement_output

# The indent of a body's statements inside a lease record (dhcpd writes them at 4).
_BODY_INDENT = 4
_ENDED_FREE = (BindingState.FREE, BindingState.BACKUP)
# id(body) -> (body, its text or None when it has none).  Bodies are the
# configuration's, which lives as long as the server; the first element keeps the
# tuple alive so its id cannot be reused.
_TEXTS: dict[int, tuple[tuple[Statement, ...], str | None]] = {}


def body_text(body: tuple[Statement, ...]) -> str | None:
    """The text between a body's braces in a lease record (None: it has no text)."""
    known = _TEXTS.get(id(body))
    if known is not None and known[0] is body:
        return known[1]
    try:
        text: str | None = statements_text(body, _BODY_INDENT) + "\n  "
    except UnwritableStatement:
        text = None
    _TEXTS[id(body)] = (body, text)
    return text


def configured_bodies(config: DhcpConfig) -> dict[str, tuple[Statement, ...]]:
    """Every `on expiry`/`on release` body of the configuration by its lease-file text
    (nested in `if`, `switch` and `on` blocks too): a lease's body written from the
    running configuration runs as the configuration parsed it, with its own option
    spaces and classes, without being read back."""
    found: dict[str, tuple[Statement, ...]] = {}

    def visit(statements: Sequence[object]) -> None:
        for statement in statements:
            if isinstance(statement, OnStatement):
                if statement.events & {"expiry", "release"} and statement.body:
                    text = body_text(statement.body)
                    if text is not None:
                        found[text] = statement.body
                visit(statement.body)
            elif isinstance(statement, IfStatement):
                visit(statement.then)
                visit(statement.otherwise)
            elif isinstance(statement, SwitchStatement):
                visit(statement.body)

    for scope in config.scopes:
        visit(scope.statements)
    return found


def with_event_bodies(lease: Lease, expiry: tuple[Statement, ...] | None,
                      release: tuple[Statement, ...] | None) -> Lease:
    """`lease` with the bodies the statements recorded (None: not named, keep the
    lease's own; an empty body clears it).  One `on expiry or release` body is one
    block in the record."""
    if expiry is None and release is None:
        return lease
    on_expiry, on_release = lease.on_expiry, lease.on_release
    if expiry is not None:
        on_expiry = body_text(expiry) if expiry else None
    if release is not None:
        on_release = body_text(release) if release else None
    shared = expiry is not None and expiry is release and on_expiry is not None
    if (on_expiry, on_release, shared) == (
        lease.on_expiry, lease.on_release, lease.on_expiry_or_release
    ):
        return lease
    return lease.replace(on_expiry=on_expiry, on_release=on_release,
                         on_expiry_or_release=shared)


def fired_body(old: Lease, new: Lease, *, released: bool, failover: bool) -> tuple[str, str] | None:
    """(event, body text) dhcpd runs as the record `old` becomes `new`, or None.
    `released`: the change is the client's DHCPRELEASE; `failover`: the lease's pool
    has a failover peer."""
    if released:
        return None if old.on_release is None else ("release", old.on_release)
    before, after = old.binding_state, new.binding_state
    if before is after:
        return None
    if failover:
        if before in (BindingState.ACTIVE, BindingState.EXPIRED) and after in _ENDED_FREE:
            event = "expiry"
        elif before is BindingState.RELEASED and after in _ENDED_FREE:
            event = "release"
        else:
            return None
    elif before is BindingState.ACTIVE:
        event = "release" if after is BindingState.RELEASED else "expiry"
    else:
        return None
    body = old.on_expiry if event == "expiry" else old.on_release
    return None if body is None else (event, body)


def body_decision(body: Sequence[Statement], lease: Lease, now: int) -> Decision:
    """What running `body` for `lease` writes to the log and asks to run."""
    hardware = lease.hardware
    ctx = EvalContext(
        lease_address=lease.ip,
        lease_ends=lease.ends,
        lease_hardware=(bytes((hardware.htype,)) + hardware.address
                        if hardware is not None else None),
        variables=BindingScope(lease.bindings),
        now=now,
    )
    state = execute_statements(body, ctx)
    lines: list[LogLine] = []
    commands: list[PendingCommand] = []
    add_statement_output(state.log_lines, lines, commands)
    return Decision(log=tuple(lines), commands=tuple(commands))
