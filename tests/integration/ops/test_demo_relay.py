"""The demo's relay agent: each DISCOVER to both servers, the first ACK wins."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from ops.demo_pair import DemoServer, LogJournal
from ops.demo_relay import PairRelay

EXAMPLE = Path(__file__).resolve().parents[3] / "ops/examples/known-unknown/dhcpd.conf"
ANSWERING, SILENT = 26787, 26788  # nothing listens on the second


async def test_the_server_that_answers_gives_the_lease(tmp_path: Path) -> None:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text("ping-check false;\n" + EXAMPLE.read_text())
    with LogJournal() as journal:
        dhcp1 = DemoServer("dhcp1", str(conf), ANSWERING, tmp_path / "dhcp1", journal)
        dhcp1.start()
        try:
            dhcp1.wait_for("Server starting service.", 0, 30)
            relay = await PairRelay({"dhcp1": ANSWERING, "dhcp2": SILENT},
                                    "127.0.0.2", "10.0.0.1").open()
            try:
                answered = await relay.lease("02:aa:00:00:00:07", "visitor-7")
            finally:
                relay.close()
        finally:
            dhcp1.stop()
    assert answered.server == "dhcp1"
    assert answered.address is not None
    assert ipaddress.IPv4Address(answered.address) in ipaddress.IPv4Network("10.0.0.0/24")
    assert answered.seconds == 300  # the visitors' pool's max-lease-time
    assert ("dhcp1", f"DHCPACK on {answered.address} to 02:aa:00:00:00:07 (visitor-7) "
            "via 127.0.0.2") in journal.since(0)


async def test_no_server_answering_is_said_not_raised() -> None:
    relay = await PairRelay({"dhcp1": SILENT - 2, "dhcp2": SILENT},
                            "127.0.0.2", "10.0.0.1").open()
    try:
        answered = await relay.lease("02:aa:00:00:00:08", "visitor-8")
    finally:
        relay.close()
    assert (answered.server, answered.address, answered.seconds) == (None, None, None)
