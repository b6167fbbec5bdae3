"""Running the statements of dhcpd.conf scopes for one request (ISC common/execute.c).

`execute_scopes` is dhcpd's `execute_statements_in_scope` over the scopes a reply
uses, in the order `DhcpConfig.execution_order` gives (host > class > pool > subnet >
shared-network > group > global: later ones win).  Every statement runs in order —
constant option settings and `if`/`switch`/`set`/… alike — into one option state,
with dhcpd's control flow:

- `if`/`elsif`/`else`: a condition with no value counts as false;
- `switch`: the first `case` whose value equals the switch value (data or numeric, as
  the switch expression is), else `default`; execution then runs on through later
  labels until a `break`.  `break` ends only the innermost statement list it is in;
- `set`/`define`/`unset` change the lease's variable scope (it is returned, for the
  lease record); `return` only stops a function;
- `on commit|expiry|release` is recorded (the last one of each event wins, an empty
  body clears the lease's), not run; `log` produces a log line; `execute` a command request;
  `add` puts the client in a class.

Option values are resolved after all statements ran (see `option_resolution`).
Nothing here does I/O: log lines and commands are returned to the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.config import statements as s
from domain.config.expressions import Context, Function
from domain.config.model import DhcpConfig
from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.scopes import ROOT_SCOPE, Scope
from domain.eval_context import BindingScope, EvalContext, Value
from domain.evaluate import (
    evaluate_boolean,
    evaluate_data,
    evaluate_numeric,
    evaluate_value,
)
from domain.lease import BindingValue
from domain.option_resolution import OptionEntry, OptionKey, ResolvedOptions

# dhcpd recurses without limit and crashes on a function that calls itself forever.
MAX_CALL_DEPTH = 64
_ON_EVENTS = ("commit", "expiry", "release")


@dataclass(frozen=True)
class LogLine:
    """A `log` statement's output: priority (fatal, error, info or debug) and text.
    dhcpd prints the data up to its first NUL; `fatal` makes dhcpd exit."""

    priority: str
    text: str


@dataclass(frozen=True)
class CommandRequest:
    """An `execute ("command", args…)` that dhcpd would run and wait for."""

    command: str
    arguments: tuple[bytes, ...]


@dataclass(frozen=True)
class OptionState:
    """What running the statements left.

    `options` maps (space, code) to the surviving setting, in the order options
    were first set, with `value` computed (None: the option has no value and is not
    sent) — the same shape as `DhcpConfig.effective_options`, so
    `resolve_server_parameters` reads parameters from it.  `bindings` is the lease's
    variable scope afterwards; `on_events` the recorded `on` bodies by event;
    `added_classes` the classes `add` named, in order.  (`bindings` leaves out
    functions, which dhcpd does not write to the lease file.)
    """

    options: Mapping[OptionKey, OptionSetting]
    log_lines: tuple[LogLine | CommandRequest, ...] = ()
    on_events: Mapping[str, tuple[s.Statement, ...]] = dataclasses.field(default_factory=dict)
    bindings: tuple[tuple[str, BindingValue], ...] = ()
    added_classes: tuple[str, ...] = ()
    commands: tuple[CommandRequest, ...] = ()

    def value(self, space: str, code: int) -> bytes | None:
        setting = self.options.get((space, code))
        return None if setting is None else setting.value


class _Return:
    """Holds a function's return value once a `return` produced one."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Value | None = None


class _Run:
    """One execution: the statements that ran, what they produced, and the context
    (whose variable scope they change) in which expressions are evaluated."""

    def __init__(self, ctx: EvalContext) -> None:
        self.entries: dict[OptionKey, list[OptionEntry]] = {}
        self.options = ResolvedOptions(self.entries, lambda: self.ctx)
        self.log_lines: list[LogLine | CommandRequest] = []
        self.on_events: dict[str, tuple[s.Statement, ...]] = {}
        self.added: list[str] = []
        self.commands: list[CommandRequest] = []
        self.depth = 0
        self.ctx = dataclasses.replace(ctx, config_options=self.options, call_function=self.call)

    # ---- results ---------------------------------------------------------------------

    def finish(self) -> OptionState:
        self.options.freeze()
        resolved = {key: self.options.setting(key) for key in self.entries}
        return OptionState(
            options={key: setting for key, setting in resolved.items() if setting is not None},
            log_lines=tuple(self.log_lines),
            on_events=dict(self.on_events),
            bindings=lease_bindings(self.ctx.variables),
            added_classes=tuple(self.added),
            commands=tuple(self.commands),
        )

    # ---- scopes and statement lists ---------------------------------------------------

    def run_scope(self, scope: Scope) -> None:
        """A scope's statements; its top-level constant options reuse the model's
        settings."""
        prebuilt = iter(scope.options)
        paired: list[tuple[s.Statement, OptionSetting | None]] = []
        for statement in scope.statements:
            setting = next(prebuilt, None) if isinstance(statement, s.OptionStatement) else None
            paired.append((statement, setting))
        self.run(paired, self.ctx, None)

    def run(
        self,
        statements: Iterable[tuple[s.Statement, OptionSetting | None]],
        ctx: EvalContext,
        returning: _Return | None,
    ) -> None:
        """ISC `execute_statements`: stops at `break`, or once a function has its
        return value."""
        for statement, prebuilt in statements:
            if returning is not None and returning.value is not None:
                return
            if isinstance(statement, s.BreakStatement):
                return
            self.step(statement, prebuilt, ctx, returning)

    def run_plain(
        self, statements: Sequence[s.Statement], ctx: EvalContext, returning: _Return | None
    ) -> None:
        self.run(((statement, None) for statement in statements), ctx, returning)

    def step(
        self,
        statement: s.Statement,
        prebuilt: OptionSetting | None,
        ctx: EvalContext,
        returning: _Return | None,
    ) -> None:
        if isinstance(statement, s.OptionStatement):
            self.record_option(statement, prebuilt)
        elif isinstance(statement, s.IfStatement):
            branch = statement.then if evaluate_boolean(statement.condition, ctx) else (
                statement.otherwise
            )
            self.run_plain(branch, ctx, returning)
        elif isinstance(statement, s.SwitchStatement):
            start = self.matching_case(statement, ctx)
            if start is not None:
                self.run_plain(statement.body[start:], ctx, returning)
        elif isinstance(statement, s.SetStatement):
            ctx.variables.assign(statement.name, evaluate_value(statement.expression, ctx))
        elif isinstance(statement, s.DefineStatement):
            # `define NAME = expr;` binds garbage in dhcpd (it reads the expression as
            # a function); binding the value, as `set` does, is the sane reading.
            expression = statement.expression
            value = expression if isinstance(expression, Function) else (
                evaluate_value(expression, ctx)
            )
            ctx.variables.assign(statement.name, value)
        elif isinstance(statement, s.UnsetStatement):
            ctx.variables.unset(statement.name)
        elif isinstance(statement, s.ReturnStatement):
            value = evaluate_value(statement.expression, ctx)
            if returning is not None:
                returning.value = value
        elif isinstance(statement, s.EvalStatement):
            evaluate_value(statement.expression, ctx)
        elif isinstance(statement, s.LogStatement):
            self.log(statement, ctx)
        elif isinstance(statement, s.OnStatement):
            self.record_on(statement)
        elif isinstance(statement, s.AddStatement):
            self.added.append(statement.class_name)
        elif isinstance(statement, s.ExecuteStatement):
            self.execute_command(statement, ctx)

    # ---- individual statements --------------------------------------------------------

    def record_option(self, statement: s.OptionStatement, prebuilt: OptionSetting | None) -> None:
        if statement.value is None:
            # `option NAME;` stores no option cache; dhcpd would dereference nothing.
            return
        if prebuilt is not None and prebuilt.value is None:
            prebuilt = None
        entry = OptionEntry(statement, prebuilt)
        self.entries.setdefault(entry.key, []).append(entry)

    def matching_case(self, switch: s.SwitchStatement, ctx: EvalContext) -> int | None:
        """The index in the body after the label execution starts at (ISC
        `find_matching_case`); None when neither a case nor `default` applies."""
        by_data = switch.expression.context is Context.DATA
        evaluate = evaluate_data if by_data else evaluate_numeric
        wanted = evaluate(switch.expression, ctx)
        if wanted is not None:
            for index, statement in enumerate(switch.body):
                if isinstance(statement, s.CaseStatement):
                    label = evaluate(statement.expression, ctx)
                    if label is not None and label == wanted:
                        return index + 1
        for index, statement in enumerate(switch.body):
            if isinstance(statement, s.DefaultStatement):
                return index + 1
        return None

    def log(self, statement: s.LogStatement, ctx: EvalContext) -> None:
        data = evaluate_data(statement.expression, ctx)
        if data is not None:
            text = data.split(b"\0", 1)[0].decode("latin-1")
            self.log_lines.append(LogLine(statement.priority, text))

    def record_on(self, statement: s.OnStatement) -> None:
        """The body for each event the statement names; an empty one clears the
        lease's (one `on expiry or release` block is one body object for both)."""
        for event in _ON_EVENTS:
            if event in statement.events:
                self.on_events[event] = statement.body

    def execute_command(self, statement: s.ExecuteStatement, ctx: EvalContext) -> None:
        """dhcpd logs the argument vector at debug level as it builds it (an argument
        without a value abandons the command); the command itself runs in the
        caller's hands, at its place among the log lines."""
        self.log_lines.append(LogLine("debug", f"execute_statement argv[0] = {statement.command}"))
        arguments: list[bytes] = []
        for number, argument in enumerate(statement.arguments, start=1):
            value = evaluate_data(argument, ctx)
            if value is None:
                self.log_lines.append(LogLine("debug", f"execute: bad arg {number}"))
                return
            value = value.split(b"\0", 1)[0]  # a C string, as execvp takes it
            arguments.append(value)
            self.log_lines.append(LogLine(
                "debug", f"execute_statement argv[{number}] = {value.decode('latin-1')}"))
        command = CommandRequest(statement.command, tuple(arguments))
        self.commands.append(command)
        self.log_lines.append(command)

    # ---- functions --------------------------------------------------------------------

    def call(
        self, function: Function, arguments: tuple[Value | None, ...], ctx: EvalContext
    ) -> Value | None:
        """Run a function body in a scope of its arguments inside the caller's."""
        if self.depth >= MAX_CALL_DEPTH:
            return None
        scope = BindingScope(zip(function.parameters, arguments, strict=True), ctx.variables)
        returning = _Return()
        self.depth += 1
        try:
            self.run_plain(function.body, dataclasses.replace(ctx, variables=scope), returning)
        finally:
            self.depth -= 1
        return returning.value


def execute_scopes(scopes: Sequence[Scope], ctx: EvalContext) -> OptionState:
    """Run `scopes` (outermost first, as `DhcpConfig.execution_order` lists them) for
    one request and return the option state they leave.

    `ctx.variables` is the lease's variable scope: `set` changes it in place and
    `OptionState.bindings` reports it.
    """
    if not any(scope.runtime_statements for scope in scopes):
        constant = combine_option_settings(option for scope in scopes for option in scope.options)
        if not any(o.compressed_list and o.value is None for o in constant.values()):
            # Nothing depends on the request: this is the model's own resolution.
            return OptionState(options=constant, bindings=lease_bindings(ctx.variables))
    run = _Run(ctx)
    for scope in scopes:
        run.run_scope(scope)
    return run.finish()


def lease_bindings(scope: BindingScope) -> tuple[tuple[str, BindingValue], ...]:
    """The variables a lease record keeps: data, numbers and booleans (dhcpd writes no
    functions to the lease file)."""
    return tuple((name, value) for name, value in scope.items() if not isinstance(value, Function))


def execute_statements(statements: Sequence[s.Statement], ctx: EvalContext) -> OptionState:
    """Run one statement list, e.g. a recorded `on commit` body when the lease is
    committed."""
    run = _Run(ctx)
    run.run_plain(statements, run.ctx, None)
    return run.finish()


def run_function(
    function: Function, arguments: tuple[Value | None, ...], ctx: EvalContext
) -> Value | None:
    """Call a function outside any statement run (class matching).  What its body
    does besides returning a value — options, log lines — is dropped: dhcpd has no
    option state to put it in there."""
    run = _Run(ctx)
    return run.call(function, arguments, dataclasses.replace(run.ctx, variables=ctx.variables))


def startup_bindings(config: DhcpConfig) -> BindingScope:
    """dhcpd's global variable scope: what the global scope's statements bind when
    dhcpd runs them once at start-up, with no packet (server/dhcpd.c).  Class
    matching sees these variables and functions."""
    scope = BindingScope()
    execute_scopes([config.scope(ROOT_SCOPE)], EvalContext(variables=scope))
    return scope


def startup_log(config: DhcpConfig) -> tuple[LogLine | CommandRequest, ...]:
    """What the global scope's `log` statements write when dhcpd runs its statements
    with no packet at start-up (dhcpd 4.4 does it twice: reading the configuration,
    and again to settle its server DUID just before it starts serving)."""
    run = execute_scopes([config.scope(ROOT_SCOPE)], EvalContext(variables=BindingScope()))
    return run.log_lines
