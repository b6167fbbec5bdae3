"""ISC's own `omshell` against a real `leaseledger serve` with `omapi-port` and
`omapi-key`, on loopback: the steps dhcpd's manual gives an administrator.  The peer of
the failover pair is never started; the operator looks at the relationship, declares
the peer down by setting `local-state` to 4, finds a lease by its address, is refused
with a wrong key, and shuts the server down through the control object.  A port taken
at start-up is tried again, as dhcpd does, while DHCP is served."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.ops.test_ctl_command import CONF, serve, serving, wait_for

OMAPI_PORT = 27911
SECRET = "c2VjcmV0c2VjcmV0MTIzNA=="  # base64 of "secretsecret1234"
OMAPI_CONF = CONF + f"""\
key omkey {{ algorithm hmac-md5; secret "{SECRET}"; }}
omapi-port {OMAPI_PORT};
omapi-key omkey;
"""


def omshell(*lines: str, secret: str = SECRET) -> str:
    """Run omshell with `lines` after connecting; its output (prompts and all)."""
    program = shutil.which("omshell")
    if program is None:
        pytest.skip("omshell (isc-dhcp-server) is not installed")
    script = "\n".join([f"key omkey {secret}", "server 127.0.0.1", f"port {OMAPI_PORT}",
                        "connect", *lines, ""])
    done = subprocess.run([program], input=script, capture_output=True, text=True,
                          timeout=30, check=False)
    return done.stdout + done.stderr


@pytest.fixture
def running(tmp_path: Path):
    with serving(tmp_path, OMAPI_CONF) as started:
        yield started


def test_the_admin_declares_the_peer_down_with_omshell(running, tmp_path: Path) -> None:
    proc, log = running
    looked = omshell("new failover-state", 'set name = "pair"', "open")
    assert 'name = "pair"' in looked
    assert "mclt = 00:00:00:1e" in looked  # 30 s
    assert "local-state = 00:00:00:04" not in looked

    down = omshell("new failover-state", 'set name = "pair"', "open",
                   "set local-state = 4", "update", "close",
                   "new failover-state", 'set name = "pair"', "open")
    assert "local-state = 00:00:00:04" in down.split("close")[-1]
    wait_for(log, "to partner-down", proc)
    wait_for(tmp_path / "dhcpd.leases", "my state partner-down", proc)  # and recorded


def test_a_lease_is_found_by_address_and_an_unknown_one_is_not(running) -> None:
    found = omshell("new lease", "set ip-address = 10.0.0.105", "open")
    assert "ip-address = 0a:00:00:69" in found
    assert "state = 00:00:00:01" in found  # free: nothing was leased yet
    missing = omshell("new lease", "set ip-address = 10.9.9.9", "open")
    assert "can't open object: not found" in missing


def test_a_wrong_key_is_refused_and_changes_nothing(running, tmp_path: Path) -> None:
    proc, log = running
    wrong = "d3JvbmdzZWNyZXQxMjM0NTY="  # base64 of "wrongsecret123456"
    refused = omshell("new failover-state", 'set name = "pair"', "open",
                      "set local-state = 4", "update", secret=wrong)
    assert "local-state = 00:00:00:04" not in refused
    assert "invalid key" in refused or "can't open object" in refused
    assert "partner-down" not in log.read_text()
    assert proc.poll() is None


def test_the_control_object_stops_the_server(running) -> None:
    proc, _log = running
    said = omshell("new control", "open", "set state = 2", "update")
    assert "can't" not in said, said  # the update was answered with success
    assert proc.wait(15) == 0


def test_a_taken_port_is_logged_and_tried_again_while_dhcp_is_served(tmp_path: Path) -> None:
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", OMAPI_PORT))
    blocker.listen(1)
    proc, log = serve(tmp_path, conf=OMAPI_CONF)
    try:
        wait_for(log, "Server starting service.", proc)
        assert "Can't start OMAPI protocol: Address already in use" in log.read_text()
        blocker.close()
        deadline = time.monotonic() + 15
        while 'name = "pair"\npartner-address' not in (
                looked := omshell("new failover-state", 'set name = "pair"', "open")):
            assert time.monotonic() < deadline, looked
            time.sleep(1)
    finally:
        blocker.close()
        proc.terminate()
        proc.wait(10)
