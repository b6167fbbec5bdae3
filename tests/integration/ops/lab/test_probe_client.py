"""The lab's probe client on loopback: no root, no namespaces.

`load` runs against the daemon in-process (as tests/integration/ops/test_daemon.py
starts it); `burst` against a plain socket that records what arrives.  `decline`
needs a broadcast-capable interface without an address and is run in the lab
(tests/lab/test_serve_lifecycle.py).
"""

from __future__ import annotations

import logging
import random
import socket
from pathlib import Path

import pytest
import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.lease_log import LeaseLog
from domain.config.model import DhcpConfig
from ops.daemon import Daemon
from ops.lab.probe_client import acked_leases, burst, load, main, probe_argv
from ops.lab.probe_packets import garbage_datagrams

CONF = """\
ping-check false;
authoritative;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.199;
}
"""


def test_ack_lines_are_read_back_in_order() -> None:
    output = ("ACK 02:4c:4c:00:00:00 10.0.0.100\nnoise\n"
              "ACK 02:4c:4c:00:00:01 10.0.0.101\ndone acked=2\n")

    assert acked_leases(output) == [("02:4c:4c:00:00:00", "10.0.0.100"),
                                    ("02:4c:4c:00:00:01", "10.0.0.101")]
    assert acked_leases("ACK 02:4c 10.0.0.1\n") == []


def test_the_command_line_runs_this_module_with_this_interpreter() -> None:
    argv = probe_argv("load", "--count", "1")
    assert argv[1:] == ["-m", "ops.lab.probe_client", "load", "--count", "1"]


@pytest.mark.parametrize("arguments", [
    ["burst", "--server", "127.0.0.1", "--source", "127.0.0.1", "--count", "0"],
    ["burst", "--server", "127.0.0.1", "--source", "127.0.0.1", "--per-second", "100000"],
    ["load", "--server", "127.0.0.1", "--relay", "127.0.0.2", "--seconds", "3600"],
    ["decline", "--interface", "eth0", "--mac", "not-a-mac"],
])
def test_unbounded_or_bad_arguments_are_refused(arguments: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    assert stopped.value.code == 2
    assert "error: argument" in capsys.readouterr().err


def test_a_socket_error_is_one_line_and_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    # 192.0.2.1 (TEST-NET-1) is never a local address: bind fails before anything is sent.
    status = main(["burst", "--server", "127.0.0.1", "--source", "192.0.2.1", "--count", "1"])

    assert status == 1
    error = capsys.readouterr().err
    assert error.startswith("probe_client burst: ") and error.count("\n") == 1


def test_burst_sends_the_seeded_garbage_in_order() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(2)
        port = receiver.getsockname()[1]

        sent = burst("127.0.0.1", "127.0.0.1", count=30, seed=9, per_second=3000, port=port)

        received = [receiver.recv(2048) for _ in range(sent)]
    assert sent == 30
    assert received == list(garbage_datagrams(random.Random(9), 30, giaddr="127.0.0.1",
                                              server_id="127.0.0.1"))


async def test_load_prints_every_ack_and_the_server_wrote_each_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lease_path = tmp_path / "dhcpd.leases"
    endpoint = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    with LeaseLog(str(lease_path)) as lease_log:
        server = Daemon(config(tmp_path), lease_log, endpoint, quiet_logger())
        async with trio.open_nursery() as nursery:
            await nursery.start(server.run)
            acked = await load("127.0.0.1", "127.0.0.2", count=3, seconds=10, wait=1.0,
                               misses=1, port=endpoint.port, link="10.0.0.1")
            nursery.cancel_scope.cancel()
    endpoint.close()

    leases = acked_leases(capsys.readouterr().out)
    assert acked == 3
    assert [mac for mac, _ in leases] == ["02:4c:4c:00:00:00", "02:4c:4c:00:00:01",
                                          "02:4c:4c:00:00:02"]
    assert len({address for _, address in leases}) == 3
    written = lease_path.read_text()
    for mac, address in leases:
        assert f"lease {address} {{" in written
        assert f"hardware ethernet {mac};" in written


async def test_load_gives_up_after_the_misses_allowed() -> None:
    # A port with no server behind it: every exchange goes unanswered.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        with trio.fail_after(5):
            acked = await load("127.0.0.1", "127.0.0.2", count=100, seconds=30, wait=0.05,
                               misses=2, port=silent.getsockname()[1])
    assert acked == 0


def config(folder: Path) -> DhcpConfig:
    path = folder / "dhcpd.conf"
    path.write_text(CONF)
    result = read_config(str(path))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


def quiet_logger() -> logging.Logger:
    logger = logging.getLogger("test.probe_client")
    logger.propagate = False
    return logger
