"""The daemon's share of `execute` statements: their commands run, in order, at their
places in the decision's log, before its reply leaves.

dhcpd runs such a command as it executes the statements and blocks until it ends, so
its log lines come in order and the reply waits.  Here the decision is still taken
and staged at once (no other request may take its address meanwhile); only the
writing of the lines after the first command, and the reply, wait for the commands,
which run in a task.  At most `MAX_RUNNING` commands run at once: a burst of
requests cannot start a process per request all together.
"""

from __future__ import annotations

import logging

import trio

from adapters.command_runner import run_command
from domain.dhcp_decision import Decision
from ops.dhcpd_log import emit

MAX_RUNNING = 16


class StatementCommands:
    """Runs decisions' commands for the daemon and writes their log as dhcpd would."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._running = trio.CapacityLimiter(MAX_RUNNING)

    def start(self, nursery: trio.Nursery, decision: Decision) -> trio.Event:
        """Write the lines before the first command now; run the rest in a task.  The
        event is set once every command has ended and every line is written."""
        first = decision.commands[0].at
        emit(self.logger, decision.log[:first])
        done = trio.Event()
        nursery.start_soon(self._run_then_set, decision, first, done)
        return done

    async def run(self, decision: Decision) -> None:
        """Write the decision's log, running its commands at their places."""
        await self._run_from(decision, 0)

    async def _run_then_set(self, decision: Decision, written: int, done: trio.Event) -> None:
        try:
            await self._run_from(decision, written)
        finally:
            done.set()

    async def _run_from(self, decision: Decision, written: int) -> None:
        for command in decision.commands:
            emit(self.logger, decision.log[written:command.at])
            written = max(written, command.at)
            async with self._running:
                outcome = await run_command(command.command, command.arguments)
            emit(self.logger, outcome)
        emit(self.logger, decision.log[written:])
