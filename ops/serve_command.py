"""`leaseledger serve`: the daemon, started with dhcpd's own command line.

An existing unit file or init script runs `dhcpd -4 -q -cf … -pf … eth0`; the same
arguments work here so `/usr/sbin/dhcpd` can be swapped without touching them.
`-t` checks the configuration and exits, `-T` also loads the lease file; `-d` logs to
stderr (debug lines too) and stays in the foreground, `-f` stays in the foreground;
without either it goes into the background as dhcpd does (adapters/daemonize.py: the
command returns once the server serves, with 1 if it could not start), which is what
an init script written for dhcpd waits for.  SIGTERM, SIGINT and SIGHUP stop
the server cleanly: every acknowledged lease is already on disk (SIGHUP is not a
reload, just as dhcpd does not reload on it).  `leaseledger ctl` talks to the running
server over the control socket (`--control`, by default beside the pid file).

Listening on the wildcard address (the default), it picks its interfaces as dhcpd
does before serving: those named, or every broadcast interface, each attached to a
declared subnet (domain/interface_check.py), with dhcpd's warnings and its refusal to
start on none; requests arriving on any other interface are ignored.  `--listen
ADDRESS` (one address, e.g. loopback) skips that: only named interfaces filter there.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator

import trio

from adapters.commit import CommitFailed
from adapters.control_socket import ControlSocket, ControlSocketError
from adapters.daemonize import Background
from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.icmp_ping import Pinger
from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog
from adapters.leasefile.store_errors import LeaseFileError
from adapters.net_interfaces import list_interfaces
from adapters.package_version import version_text
from adapters.pid_file import AlreadyRunning, claim, release
from adapters.privileges import PrivilegeError, RunAs, become, run_as
from domain.config.model import DhcpConfig
from domain.config.unserved import unserved_lines
from domain.dhcp_decision import Decision, LogLine, PendingCommand
from domain.execute import startup_log
from domain.interface_check import InterfaceCheck, check_interfaces, name_too_long
from domain.lease_events import LeaseEvent
from domain.reply_options import add_statement_output
from ops.control import ServerControl, default_control_path
from ops.daemon import Daemon
from ops.dhcpd_log import (
    adopt_library_logs,
    emit,
    end_startup,
    make_logger,
    use_facility,
)
from ops.lease_file_hosts import LeaseFileHosts, apply_lease_file_hosts
from ops.omapi_service import OmapiSettings, omapi_key_error, start_omapi
from ops.server_files import DEFAULT_CONF, DEFAULT_LEASES, DEFAULT_PID
from ops.statement_commands import StatementCommands

WILDCARD = "0.0.0.0"
BANNER = "leaseledger DHCP server (drop-in for ISC dhcpd 4.4)"


def add_command(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the DHCP server (dhcpd's command line)")
    serve.add_argument("-cf", dest="config", default=DEFAULT_CONF, metavar="FILE")
    serve.add_argument("-lf", dest="leasefile", default=DEFAULT_LEASES, metavar="FILE")
    serve.add_argument("-pf", dest="pidfile", default=DEFAULT_PID, metavar="FILE")
    serve.add_argument("-p", dest="port", type=int, default=67, metavar="PORT")
    serve.add_argument("-f", dest="foreground", action="store_true")
    serve.add_argument("-d", dest="debug", action="store_true")
    serve.add_argument("-q", dest="quiet", action="store_true")
    serve.add_argument("-t", dest="test_config", action="store_true")
    serve.add_argument("-T", dest="test_leases", action="store_true")
    serve.add_argument("-4", dest="v4", action="store_true", help="(the only mode)")
    serve.add_argument("-user", dest="user", metavar="USER",
                       help="run as USER once the ports and files are open (as dhcpd)")
    serve.add_argument("-group", dest="group", metavar="GROUP",
                       help="run as GROUP (default: USER's group)")
    serve.add_argument("--version", action="version", version=version_text(),
                       help="print the version and exit (as `dhcpd --version`)")
    serve.add_argument("--no-pid", dest="no_pid", action="store_true",
                       help="write no pid file (the control socket stays beside -pf's path)")
    serve.add_argument("--no-syslog", dest="no_syslog", action="store_true",
                       help="with -d: log to stderr alone, nothing to the machine's syslog"
                            " (the demo's servers)")
    serve.add_argument("--listen", default="0.0.0.0", metavar="ADDRESS",
                       help="the address to bind (default: all)")
    serve.add_argument("--rotate-bytes", type=int, default=64 * 1024 * 1024)
    serve.add_argument("--rotate-seconds", type=_seconds, metavar="SECONDS",
                       help="also start a new segment once the live one is this old and"
                            " has grown (3600: dhcpd's hourly rewrite; default: by size only)")
    serve.add_argument("--keep-segments", type=_count, metavar="N",
                       help="after a rotation keep only the newest N archived segments of"
                            " the lease log (default: keep every one: the full history)")
    serve.add_argument("--control", metavar="PATH",
                       help="the control socket for `leaseledger ctl` (default: the pid "
                            "file's path with .ctl for .pid, e.g. /var/run/dhcpd.ctl)")
    serve.add_argument("interfaces", nargs="*", metavar="INTERFACE")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    args.background = Background()
    if not (args.foreground or args.debug or args.test_config or args.test_leases):
        # First, as dhcpd forks before reading anything (and before any thread).
        try:
            args.background.detach()
        except OSError as exc:
            print(f"Can't fork daemon: {exc.strerror}", file=sys.stderr)
            return 1
    logger = make_logger(to_stderr=args.debug or args.test_config or args.test_leases,
                         stderr_until_started=not args.quiet,
                         syslog=not (args.no_syslog and args.debug))
    adopt_library_logs(logger)
    if not os.path.isabs(args.leasefile):
        # As dhcpd: a relative -lf is resolved now (its `Database file:` line shows
        # the result); a relative lease-file-name from the configuration is not.
        args.leasefile = os.path.realpath(args.leasefile)
    too_long = name_too_long(args.interfaces)
    if too_long is not None:
        emit(logger, (too_long,))
        return 1
    try:
        args.run_as = run_as(args.user, args.group)
    except PrivilegeError as exc:
        logger.error("%s", exc)
        return 1
    if not args.quiet:
        logger.info(BANNER)
    result = read_config(args.config)
    for line in result.output_lines():
        logger.error(line)
    if not result.ok:
        return 1
    config = build_config(result.tree)
    _files_and_port_from_config(args, config)
    global_statements = _global_statements(config)
    trio.run(StatementCommands(logger).run, global_statements)
    if not args.quiet:
        logger.info("Config file: %s", args.config)
        logger.info("Database file: %s", args.leasefile)
        logger.info("PID file: %s", args.pidfile)
    if config.global_parameters.log_facility is not None:
        use_facility(logger, config.global_parameters.log_facility, BANNER)
    if config.global_parameters.server_id_check:
        logger.info("Setting server-id-check true")
    for line in unserved_lines(config.global_parameters):
        logger.error("%s", line)
    key_error = omapi_key_error(config)
    if key_error is not None:
        logger.error("%s", key_error)
        return 1
    if args.test_config:
        return 0
    if args.test_leases:
        return _test_lease_file(args.leasefile, logger)
    interfaces = _interfaces_to_serve(args, config, logger)
    if interfaces is None:
        return 1
    _absolute_paths(args)
    try:
        pid_path = None if args.no_pid else claim(args.pidfile)
    except AlreadyRunning as exc:
        logger.error("%s", exc)
        return 1
    try:
        try:
            lease_log = LeaseLog(args.leasefile, rotate_bytes=args.rotate_bytes,
                                 keep_segments=args.keep_segments,
                                 rotate_seconds=args.rotate_seconds)
        except (LeaseFileError, OSError) as exc:
            logger.error("Can't open lease database %s: %s", args.leasefile, exc)
            return 1
        with lease_log:
            return trio.run(_serve, args, config, lease_log, logger, interfaces,
                            global_statements)
    finally:
        if pid_path is not None:
            release(pid_path)


def _count(text: str) -> int:
    """A whole number, 0 or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return value


def _seconds(text: str) -> float:
    """A number of seconds above 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _absolute_paths(args: argparse.Namespace) -> None:
    """The files the server reopens, renames or removes later, as absolute paths: a
    server in the background works from `/` (dhcpd makes its lease file's path
    absolute for the same reason)."""
    args.leasefile = os.path.abspath(args.leasefile)
    args.pidfile = os.path.abspath(args.pidfile)
    if args.control:
        args.control = os.path.abspath(args.control)


def _files_and_port_from_config(args: argparse.Namespace, config: DhcpConfig) -> None:
    """dhcpd.conf's `lease-file-name`, `pid-file-name` and `local-port` win over the
    command line's -lf, -pf and -p, as in dhcpd (it reads them after its arguments and
    replaces them unconditionally; `Database file:` then names the configured one)."""
    params = config.global_parameters
    if params.lease_file_name:
        args.leasefile = params.lease_file_name
    if params.pid_file_name:
        args.pidfile = params.pid_file_name
    if params.local_port is not None:
        args.port = params.local_port


def _global_statements(config: DhcpConfig) -> Decision:
    """What the global scope's statements write and run with no packet, as dhcpd runs
    them at start-up (even with -t): `log` lines, and `execute` commands, each waited
    for at its place among the lines."""
    lines: list[LogLine] = []
    commands: list[PendingCommand] = []
    add_statement_output(startup_log(config), lines, commands)
    return Decision(log=tuple(lines), commands=tuple(commands))


def _interfaces_to_serve(
    args: argparse.Namespace, config: DhcpConfig, logger: logging.Logger
) -> InterfaceCheck | None:
    """The interfaces whose requests are answered (`served`, empty: all) and the shared
    network each is attached to, or None when dhcpd would have refused to start; the
    check's lines are logged either way."""
    if args.listen != WILDCARD:
        return InterfaceCheck(tuple(args.interfaces), (), fatal=False)
    try:
        present = list_interfaces()
    except OSError:
        logger.error("Can't get list of interfaces.")
        return None
    check = check_interfaces(config, present, args.interfaces)
    emit(logger, check.log)
    return None if check.fatal else check


def _test_lease_file(path: str, logger: logging.Logger) -> int:
    """`-T`: read the lease log as the server would, without locking or changing it."""
    try:
        addresses = {event.lease.ip for _s, _p, event in read_history(path)
                     if isinstance(event, LeaseEvent)}
    except (LeaseFileError, OSError) as exc:
        logger.error("Can't read lease database %s: %s", path, exc)
        return 1
    logger.info("Lease file test successful: %d leases in %s", len(addresses), path)
    return 0


async def _serve(
    args: argparse.Namespace, config: DhcpConfig, lease_log: LeaseLog, logger: logging.Logger,
    interfaces: InterfaceCheck, global_statements: Decision,
) -> int:
    try:
        endpoint = await DhcpUdpEndpoint.open(args.listen, args.port)
    except OSError as exc:
        logger.error("Can't bind to dhcp address %s:%d: %s", args.listen, args.port,
                     exc.strerror)
        return 1
    configured = config
    hosts = apply_lease_file_hosts(args.config, configured, lease_log.host_records())
    for line in hosts.errors:
        logger.error("%s", line)
    config = hosts.config
    pinger = Pinger()
    daemon = Daemon(config, lease_log, endpoint, logger, interfaces=interfaces.served,
                    interface_networks=interfaces.networks,
                    interface_addresses=interfaces.addresses,
                    pinger=pinger)
    status = 0
    try:
        status = await _until_signal(daemon, endpoint, args, logger, global_statements,
                                     configured, hosts)
    except* CommitFailed as group:
        # The disk refused a write: nothing of that batch was answered, the log on
        # disk is consistent, and serving on could hand out what is not recorded.
        logger.error("Can't write the lease file %s: %s -- exiting", args.leasefile,
                     _first_leaf(group))
        status = 1
    finally:
        endpoint.close()
        pinger.close()
        sys.stderr.flush()
    return status


async def _until_signal(
    daemon: Daemon, endpoint: DhcpUdpEndpoint, args: argparse.Namespace,
    logger: logging.Logger, global_statements: Decision, configured: DhcpConfig,
    hosts: LeaseFileHosts,
) -> int:
    """Serve until a signal (0), or stop at once if the control socket can't be made (1)."""
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.run)
        path = args.control or default_control_path(args.pidfile)
        try:
            control = await ControlSocket.open(path, ServerControl(daemon))
        except ControlSocketError as exc:
            logger.error("Can't open the control socket %s", exc)
            await daemon.shutdown()
            nursery.cancel_scope.cancel()
            return 1
        stop = trio.Event()
        try:
            nursery.start_soon(control.serve)
            await start_omapi(nursery, daemon, OmapiSettings(
                args.config, configured, args.listen, os.getcwd(), hosts.errors), logger,
                stop.set)
            logger.info("Listening on Socket/%s:%d", args.listen, endpoint.port)
            for line in hosts.info:
                logger.info("%s", line)
            logger.info("Wrote %d leases to leases file.", len(daemon.view.table))
            # dhcpd runs the global statements once more here (commands too)
            await daemon.commands.run(global_statements)
            try:
                _hand_over_lease_file(daemon, args.run_as)
                become(args.run_as)
            except PrivilegeError as exc:
                logger.error("%s", exc)
                await daemon.shutdown()
                nursery.cancel_scope.cancel()
                return 1
            end_startup(logger)
            args.background.ready()
            logger.info("Server starting service.")
            with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT,
                                           signal.SIGHUP) as sigs:
                nursery.start_soon(_set_on_signal, sigs, stop)
                await stop.wait()  # a signal, or OMAPI's control object
                await daemon.shutdown()
                nursery.cancel_scope.cancel()
        finally:
            control.close()
    return 0


async def _set_on_signal(signals: AsyncIterator[int], stop: trio.Event) -> None:
    async for _signum in signals:
        stop.set()
        return


def _hand_over_lease_file(daemon: Daemon, target: RunAs) -> None:
    """As dhcpd does when it will drop both its user and group: the live lease file
    becomes theirs, so the server can still rotate it afterwards."""
    if target.uid and target.gid:
        try:
            daemon.log.hand_over(target.uid, target.gid)
        except OSError as exc:
            raise PrivilegeError(f"Can't chown new lease file: {exc.strerror}") from None


def _first_leaf(error: BaseException) -> BaseException:
    """The first exception inside nested exception groups (the one worth a log line:
    a group's own text only counts its members)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error
