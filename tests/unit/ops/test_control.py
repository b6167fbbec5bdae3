"""`ServerControl`: what `leaseledger ctl` requests mean to a running server — a status
with every relationship and the server's counts, partner-down for a configured peer
only, and a refusal (changing nothing) for anything else."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from domain.lease import BindingState, Lease
from ops.control import ServerControl, default_control_path
from projections.lease_view import LeaseView

CONF = """\
failover peer "fo" {
  primary;
  address 10.0.0.10;
  peer address 10.0.0.12;
  mclt 600;
  split 128;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 10.0.0.100 10.0.0.103;
  }
  pool {
    range 10.0.0.200 10.0.0.201;
  }
}
"""


@dataclass
class FakeRelationship:
    """A failover runner as the handler sees it: a status, and partner_down()."""

    name: str
    state: str = "communications-interrupted"
    calls: list[str] = field(default_factory=list)

    def status(self) -> dict[str, object]:
        return {"peer": self.name, "my_state": self.state}

    def partner_down(self) -> None:
        self.calls.append("partner_down")
        self.state = "partner-down"


@dataclass
class FakeServer:
    view: LeaseView
    runners: dict[str, FakeRelationship]


@pytest.fixture
def server(make_config) -> FakeServer:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(Lease(ip="10.0.0.100", binding_state=BindingState.ACTIVE, starts=10, ends=20))
    return FakeServer(view, {"fo": FakeRelationship("fo"), "other": FakeRelationship("other")})


def test_status_holds_every_relationship_and_the_servers_counts(server) -> None:
    answer = ServerControl(server)({"command": "status"})

    assert answer["ok"] is True
    assert answer["failover"] == [{"peer": "fo", "my_state": "communications-interrupted"},
                                  {"peer": "other", "my_state": "communications-interrupted"}]
    assert answer["leases"] == 1
    assert [(p["pool"], p["failover_peer"], p["total"], p["free"]) for p in answer["pools"]] \
        == [(0, "fo", 4, 3), (1, None, 2, 2)]


def test_partner_down_moves_the_named_relationship_only(server) -> None:
    answer = ServerControl(server)({"command": "partner-down", "peer": "fo"})

    assert answer == {"ok": True, "peer": "fo", "was": "communications-interrupted",
                      "state": "partner-down"}
    assert server.runners["fo"].calls == ["partner_down"]
    assert server.runners["other"].calls == []


@pytest.mark.parametrize("request_", [
    {"command": "partner-down", "peer": "nosuch"},
    {"command": "partner-down"},
    {"command": "partner-down", "peer": ["fo"]},
])
def test_partner_down_of_an_unknown_peer_is_refused_and_changes_nothing(
    server, request_,
) -> None:
    answer = ServerControl(server)(request_)

    assert answer["ok"] is False
    assert "no failover peer" in answer["error"] and "configured: fo, other" in answer["error"]
    assert all(runner.calls == [] for runner in server.runners.values())


@pytest.mark.parametrize("request_", [{}, {"command": "reboot"}, {"command": 7}])
def test_an_unknown_command_is_refused(server, request_) -> None:
    answer = ServerControl(server)(request_)

    assert answer["ok"] is False
    assert "unknown command" in answer["error"]
    assert "known: status, partner-down" in answer["error"]


@pytest.mark.parametrize(("pidfile", "socket"), [
    ("/var/run/dhcpd.pid", "/var/run/dhcpd.ctl"),
    ("/run/dhcp-server/dhcpd.pid", "/run/dhcp-server/dhcpd.ctl"),
    ("/run/dhcpd", "/run/dhcpd.ctl"),
    ("/run/dhcpd.lock", "/run/dhcpd.lock.ctl"),
])
def test_the_control_socket_sits_beside_the_pid_file(pidfile, socket) -> None:
    assert default_control_path(pidfile) == socket
