"""`StatementCommands`: a decision's commands run at their places in its log — the
lines before the first are written at once, each command's outcome follows its
argument lines, the rest after it — and the event tells the reply when all ended."""

from __future__ import annotations

import trio

from domain.dhcp_decision import Decision, PendingCommand, debug, info
from ops.statement_commands import StatementCommands
from tests.log_lines import LogLines, logger_with_lines


def commands_and_lines() -> tuple[StatementCommands, LogLines]:
    logger, lines = logger_with_lines("test-statement-commands")
    return StatementCommands(logger), lines


DECISION = Decision(
    log=(info("global"), debug("execute_statement argv[0] = /bin/sh"), info("after one"),
         debug("execute_statement argv[0] = /bin/sh"), info("DHCPREQUEST for 10.0.0.1")),
    commands=(PendingCommand(2, "/bin/sh", (b"-c", b"exit 1")),
              PendingCommand(4, "/bin/sh", (b"-c", b"exit 2"))),
)
WRITTEN = ["global", "execute_statement argv[0] = /bin/sh", "execute: /bin/sh exit status 256",
           "after one", "execute_statement argv[0] = /bin/sh",
           "execute: /bin/sh exit status 512", "DHCPREQUEST for 10.0.0.1"]


def test_the_lines_before_the_first_command_are_written_at_once_and_the_rest_in_order(
) -> None:
    commands, handler = commands_and_lines()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            done = commands.start(nursery, DECISION)
            assert handler.texts == WRITTEN[:2] and not done.is_set()
            await done.wait()
        assert handler.texts == WRITTEN

    trio.run(main)


def test_run_writes_the_whole_log_with_the_commands_in_place() -> None:
    commands, handler = commands_and_lines()
    trio.run(commands.run, DECISION)
    assert handler.texts == WRITTEN
