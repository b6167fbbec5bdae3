"""`on release` / `on expiry` in the daemon, in-process on loopback with a wall clock
the test moves: the ACK writes both bodies into the lease log; a DHCPRELEASE runs the
release body (its line before the request's, its command run); the daemon's own lease
timer runs the expiry body once the clock passes the lease's end — also for a lease
whose body the daemon only read back from its log after a restart."""

from __future__ import annotations

from pathlib import Path

import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.lease_log import LeaseLog
from domain.config.model import DhcpConfig
from domain.dhcp_packet import Opt
from ops.daemon import Daemon
from ops.loopback_client import RelayClient
from tests.log_lines import LogLines, logger_with_lines

START = 1_800_000_000.0
FIRST, SECOND = bytes.fromhex("02aa00000001"), bytes.fromhex("02aa00000002")


def config(tmp_path: Path, ran: Path) -> DhcpConfig:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text(f"""
ping-check false;
authoritative;
default-lease-time 600;
max-lease-time 600;
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{
    range 10.0.0.100 10.0.0.110;
    on release {{
      log(info, concat("released ", binary-to-ascii(10, 8, ".", leased-address)));
      execute("/bin/sh", "-c", "echo release $0 >> {ran}; exit 2",
              binary-to-ascii(10, 8, ".", leased-address));
    }}
    on expiry {{
      log(info, concat("expired ", binary-to-ascii(10, 8, ".", leased-address)));
      execute("/bin/sh", "-c", "echo expiry $0 >> {ran}; exit 3",
              binary-to-ascii(10, 8, ".", leased-address));
    }}
  }}
}}
""")
    result = read_config(str(conf))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


async def serve(nursery: trio.Nursery, conf: DhcpConfig, lease_file: Path,
                clock: list[float]) -> tuple[Daemon, RelayClient, LogLines]:
    logger, lines = logger_with_lines("test-lease-bodies")
    endpoint = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    daemon = Daemon(conf, LeaseLog(lease_file), endpoint, logger, clock=lambda: clock[0])
    await nursery.start(daemon.run)
    client = await RelayClient(("127.0.0.1", endpoint.port), "127.0.0.2", "10.0.0.1").open()
    return daemon, client, lines


async def test_release_and_expiry_bodies_run_and_survive_a_restart(tmp_path: Path) -> None:
    ran, lease_file, clock = tmp_path / "ran.txt", tmp_path / "dhcpd.leases", [START]
    conf = config(tmp_path, ran)
    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            daemon, client, lines = await serve(nursery, conf, lease_file, clock)
            first = await client.dora(FIRST)
            second = await client.dora(SECOND)
            await client.release(FIRST, first.address,
                                 first.answer.option(Opt.SERVER_IDENTIFIER))
            await lines.wait_for(f"DHCPRELEASE of {first.address} from 02:aa:00:00:00:01"
                                 " via 127.0.0.2 (found)")
            await lines.wait_for("execute: /bin/sh exit status 512")
            client.close()
            nursery.cancel_scope.cancel()
        daemon.log.close()
        released = lines.texts.index(f"released {first.address}")
        assert lines.texts[released + 1:released + 6] == [
            "execute_statement argv[0] = /bin/sh", "execute_statement argv[1] = -c",
            f"execute_statement argv[2] = echo release $0 >> {ran}; exit 2",
            f"execute_statement argv[3] = {first.address}", "execute: /bin/sh exit status 512"]
        assert lines.texts[released + 6].startswith(f"DHCPRELEASE of {first.address}")
        assert ran.read_text() == f"release {first.address}\n"
        text = lease_file.read_text()
        assert text.count("  on expiry {\n") == 2 and text.count("  on release {\n") == 2

        # A restart reads the second lease, bodies and all, back from the log; the
        # clock passes its end and the daemon's timer runs its expiry body.
        async with trio.open_nursery() as nursery:
            daemon, client, lines = await serve(nursery, conf, lease_file, clock)
            clock[0] += 601
            await lines.wait_for(f"expired {second.address}")
            await lines.wait_for("execute: /bin/sh exit status 768")
            client.close()
            nursery.cancel_scope.cancel()
        daemon.log.close()
    assert ran.read_text().splitlines() == [f"release {first.address}",
                                            f"expiry {second.address}"]
    assert not any(line.startswith("expired ") and first.address in line
                   for line in lines.texts)
