"""The server's logger: dhcpd's lines, as `logging` would have sent them, minus its cost."""

from __future__ import annotations

import io
import logging
import logging.handlers
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.dhcp_decision import LogLevel, LogLine
from ops import dhcpd_log
from ops.dhcpd_log import (
    DhcpdLogger,
    adopt_library_logs,
    emit,
    end_startup,
    lines_batched,
    make_logger,
    use_facility,
)


def test_lines_are_formatted_as_logging_formats_them() -> None:
    written: list[tuple[int, str]] = []
    logger = DhcpdLogger(lambda level, text: written.append((level, text)))
    logger.info("Config file: %s", "/etc/dhcpd.conf")
    logger.error("100% full")  # no arguments: no formatting, as in logging
    logger.debug("%d leases", 3)
    emit(logger, [LogLine(LogLevel.INFO, "DHCPACK on 10.0.0.5"),
                  LogLine(LogLevel.ERROR, "Reclaiming abandoned lease 10.0.0.6.")])
    assert written == [
        (logging.INFO, "Config file: /etc/dhcpd.conf"), (logging.ERROR, "100% full"),
        (logging.DEBUG, "3 leases"), (logging.INFO, "DHCPACK on 10.0.0.5"),
        (logging.ERROR, "Reclaiming abandoned lease 10.0.0.6."),
    ]


def test_the_stream_sink_writes_one_line_per_message() -> None:
    stream = io.StringIO()
    logger = DhcpdLogger(dhcpd_log._StreamSink(stream))
    logger.info("one")
    logger.log(logging.ERROR, "two %s", "2")
    assert stream.getvalue() == "one\ntwo 2\n"


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_a_batch_of_lines_is_flushed_once_at_its_end() -> None:
    stream = CountingStream()
    logger = DhcpdLogger(dhcpd_log._StreamSink(stream))
    with lines_batched(logger):
        logger.info("one")
        with lines_batched(logger):  # nested: still one flush, at the outer end
            logger.info("two")
        assert stream.flushes == 0
    assert (stream.getvalue(), stream.flushes) == ("one\ntwo\n", 1)
    logger.info("three")  # outside a batch: flushed at once again
    assert stream.flushes == 2


class CountingRaw(io.RawIOBase):
    """What reaches the file descriptor: one entry per system call."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.calls.append(bytes(data))
        return len(data)


def test_a_batch_reaches_a_line_buffered_stream_in_one_write() -> None:
    """stderr is line-buffered: written line by line, a batch would still cost a
    system call per line."""
    raw = CountingRaw()
    stream = io.TextIOWrapper(io.BufferedWriter(raw), line_buffering=True)
    logger = DhcpdLogger(dhcpd_log._StreamSink(stream))
    with lines_batched(logger):
        for n in range(5):
            logger.info("line %d", n)
        assert raw.calls == []
    assert raw.calls == [b"line 0\nline 1\nline 2\nline 3\nline 4\n"]
    logger.info("alone")
    assert raw.calls[-1] == b"alone\n"


def test_batching_leaves_other_loggers_and_sinks_alone() -> None:
    written: list[tuple[int, str]] = []
    logger = DhcpdLogger(lambda level, text: written.append((level, text)))
    with lines_batched(logger):
        logger.info("kept")
    plain = logging.getLogger("test.dhcpd_log.plain")
    with lines_batched(plain):
        pass
    assert written == [(logging.INFO, "kept")]


def test_a_closed_stream_loses_the_line_not_the_server() -> None:
    stream = io.StringIO()
    stream.close()
    DhcpdLogger(dhcpd_log._StreamSink(stream)).info("lost")


def test_syslog_gets_the_bytes_the_syslog_handler_sent(tmp_path: Path) -> None:
    path = str(tmp_path / "log")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    try:
        ours = DhcpdLogger(dhcpd_log._SyslogSink(3, "dhcpd[7]: ", path))
        handler = logging.handlers.SysLogHandler(address=path, facility=3)
        handler.setFormatter(logging.Formatter("dhcpd[7]: %(message)s"))
        reference = logging.getLogger("test.dhcpd_log.reference")
        reference.propagate = False
        reference.setLevel(logging.DEBUG)
        reference.handlers = [handler]
        for logger in (ours, reference):
            logger.info("Listening on %s", "eth0")
            logger.error("bad")
            logger.debug("détail")
        received = [server.recv(4096) for _ in range(6)]
        handler.close()
    finally:
        server.close()
    assert received[:3] == received[3:]
    assert received[0] == b"<30>dhcpd[7]: Listening on eth0\0"


def test_without_a_syslog_socket_the_lines_go_to_stderr(monkeypatch, capsys) -> None:
    monkeypatch.setattr(dhcpd_log, "SYSLOG_PATH", "/nonexistent/log")
    logger = make_logger(to_stderr=False)
    logger.info("fallback")
    assert capsys.readouterr().err == "fallback\n"


@pytest.fixture
def syslog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A syslog socket of the test's own, where `make_logger` sends its lines."""
    path = str(tmp_path / "log")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(5)  # a line that never comes fails the test
    monkeypatch.setattr(dhcpd_log, "SYSLOG_PATH", path)
    try:
        yield server
    finally:
        server.close()


def test_start_up_lines_reach_stderr_too_until_the_server_serves(syslog, capsys) -> None:
    """dhcpd without -q: whoever started it sees the start-up lines (a configuration
    error above all) on the terminal; once serving, syslog alone."""
    logger = make_logger(to_stderr=False, stderr_until_started=True)
    logger.info("Config file: %s", "dhcpd.conf")
    end_startup(logger)
    logger.info("Server starting service.")
    received = [syslog.recv(4096) for _ in range(2)]
    assert capsys.readouterr().err == "Config file: dhcpd.conf\n"
    assert [line.split(b": ", 1)[1] for line in received] == [
        b"Config file: dhcpd.conf\0", b"Server starting service.\0"]


def test_quiet_start_up_lines_go_to_syslog_alone(syslog, capsys) -> None:
    logger = make_logger(to_stderr=False)
    logger.error("Configuration file errors encountered -- exiting")
    end_startup(logger)  # nothing to end: harmless
    received = syslog.recv(4096)
    assert capsys.readouterr().err == ""
    assert received.endswith(b"Configuration file errors encountered -- exiting\0")


def test_log_facility_moves_the_lines_and_logs_the_banner_there_once_more(
    syslog, capsys
) -> None:
    """`log-facility local7;`: dhcpd reopens syslog under local7 once the configuration
    is read and logs its banner again, to syslog alone."""
    logger = make_logger(to_stderr=False, stderr_until_started=True)
    logger.info("PID file: dhcpd.pid")
    assert use_facility(logger, "local7", "the banner")
    logger.info("Listening on Socket/127.0.0.1:67")
    received = [syslog.recv(4096) for _ in range(3)]
    assert [line.split(b"]: ", 1)[0].split(b">")[0] for line in received] == [
        b"<30", b"<190", b"<190"]  # daemon.info, then local7.info
    assert received[1].endswith(b"]: the banner\0")
    assert capsys.readouterr().err == "PID file: dhcpd.pid\nListening on Socket/127.0.0.1:67\n"


def test_log_facility_with_no_syslog_socket_changes_nothing(monkeypatch, capsys) -> None:
    monkeypatch.setattr(dhcpd_log, "SYSLOG_PATH", "/nonexistent/log")
    logger = make_logger(to_stderr=True)
    assert not use_facility(logger, "local7", "the banner")
    assert capsys.readouterr().err == ""


def test_with_d_every_line_goes_to_syslog_and_stderr_for_the_whole_run(
    syslog, capsys
) -> None:
    """`dhcpd -d` (and -t, -T) keeps syslogging and writes every line, debug included,
    to stderr as well, after start-up too (omapip/errwarn.c: syslog always, stderr
    while `log_perror`)."""
    logger = make_logger(to_stderr=True)
    logger.info("Config file: %s", "dhcpd.conf")
    end_startup(logger)
    with lines_batched(logger):
        logger.info("DHCPDISCOVER from 02:00:00:00:00:01 via eth0")
        logger.debug("DHCPDISCOVER from 02:00:00:00:00:02 via eth0: load balance to peer fo")
    received = [syslog.recv(4096) for _ in range(3)]
    assert capsys.readouterr().err == (
        "Config file: dhcpd.conf\n"
        "DHCPDISCOVER from 02:00:00:00:00:01 via eth0\n"
        "DHCPDISCOVER from 02:00:00:00:00:02 via eth0: load balance to peer fo\n")
    assert [line.split(b">", 1)[0] for line in received] == [b"<30", b"<30", b"<31"]
    assert received[2].endswith(b": load balance to peer fo\0")


def test_a_server_asked_for_no_syslog_writes_to_stderr_alone(syslog, capsys) -> None:
    """The demo's servers (`serve -d --no-syslog`): their dhcpd lines stay out of the
    machine's log, where a real site's monitoring reads dhcpd's."""
    logger = make_logger(to_stderr=True, syslog=False)
    logger.info("DHCPACK on 10.0.0.10 to 02:00:00:00:00:01 via eth0")
    syslog.setblocking(False)
    with pytest.raises(BlockingIOError):
        syslog.recv(4096)
    assert capsys.readouterr().err == "DHCPACK on 10.0.0.10 to 02:00:00:00:00:01 via eth0\n"


def test_log_facility_with_d_moves_syslog_and_logs_the_banner_there_alone(
    syslog, capsys
) -> None:
    logger = make_logger(to_stderr=True)
    assert use_facility(logger, "local7", "the banner")
    logger.info("Listening on Socket/127.0.0.1:67")
    received = [syslog.recv(4096) for _ in range(2)]
    assert received[0].startswith(b"<190>") and received[0].endswith(b"]: the banner\0")
    assert received[1].startswith(b"<190>")
    assert capsys.readouterr().err == "Listening on Socket/127.0.0.1:67\n"


def test_the_adapters_lines_go_where_the_servers_lines_go() -> None:
    """A torn lease file cut off, a rotation: logged by the adapters through `logging`,
    they must reach the server's syslog or stderr, or a daemon's would be lost."""
    stream = io.StringIO()
    server = DhcpdLogger(dhcpd_log._StreamSink(stream))
    library = logging.getLogger("adapters")
    before = (list(library.handlers), library.level)
    try:
        adopt_library_logs(server)
        adopt_library_logs(server)  # again: still one line per record
        logging.getLogger("adapters.leasefile.store").warning("%s: cut off", "dhcpd.leases")
        logging.getLogger("adapters.leasefile.lease_log").info("rotated")
        logging.getLogger("adapters.leasefile.lease_log").debug("not this")
    finally:
        library.handlers[:] = before[0]
        library.setLevel(before[1])
    assert stream.getvalue() == "dhcpd.leases: cut off\nrotated\n"
