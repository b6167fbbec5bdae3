"""`LeaseBodies`: which change of a request runs a body, the body's output put in front
of the request's own (commands moved with their lines), the failover rules for a pool
with a peer, and a body whose text does not parse (an error line, nothing run)."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision, LeaseChange, LogLevel, PendingCommand, info
from domain.failover.states import Role
from domain.lease import BindingState, Hardware, Lease
from domain.lease_event_bodies import configured_bodies
from domain.lease_events import Expired, Released
from ops.lease_bodies import LeaseBodies, in_front
from tests.unit.domain.failover_lab import pair_config

# 10.0.0.100-103: a pool shared with failover peer "fo"; 10.1.0.0/24: no peer.
CONF = pair_config(Role.PRIMARY) + (
    "subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.100 10.1.0.110; }\n")
BODY = '\n    log (info, "bye");\n    execute ("/bin/true", "x");\n  '
MAC = Hardware(1, bytes.fromhex("020000000001"))


def bound(ip: str, **fields: object) -> Lease:
    record = Lease(ip, starts=100, ends=1000, binding_state=BindingState.ACTIVE,
                   hardware=MAC, on_expiry=BODY, on_release=BODY)
    return record.replace(**fields)


def test_a_release_puts_its_body_in_front_of_the_requests_line(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    bodies = LeaseBodies(make_config(CONF))
    old = bound("10.1.0.100")
    freed = old.replace(binding_state=BindingState.FREE, on_expiry=None, on_release=None)
    request = Decision(log=(info("DHCPRELEASE of 10.1.0.100 (found)"),),
                       changes=(LeaseChange(Released, freed, "released"),),
                       commands=(PendingCommand(1, "/bin/false", ()),))
    merged = bodies.merged(request, {"10.1.0.100": old}.get, now=500)
    assert [line.text for line in merged.log] == [
        "bye", "execute_statement argv[0] = /bin/true", "execute_statement argv[1] = x",
        "DHCPRELEASE of 10.1.0.100 (found)"]
    assert [(c.at, c.command) for c in merged.commands] == [(3, "/bin/true"), (4, "/bin/false")]
    assert merged.changes == request.changes


def test_only_a_change_that_ends_the_lease_runs_a_body(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    bodies = LeaseBodies(make_config(CONF))
    plain = bound("10.1.0.101")
    renewed = LeaseChange(Expired, plain.replace(ends=2000), "renewed")
    assert bodies.for_change(plain, renewed, 500) is None
    assert bodies.for_change(None, renewed, 500) is None
    no_bodies = plain.replace(on_expiry=None, on_release=None)
    expired = LeaseChange(Expired, plain.replace(binding_state=BindingState.FREE), "expired")
    assert bodies.for_change(no_bodies, expired, 500) is None
    ran = bodies.for_change(plain, expired, 500)
    assert ran is not None and ran.log[0].text == "bye"


def test_a_failover_pool_runs_the_expiry_body_when_the_lease_is_free_not_expired(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    bodies = LeaseBodies(make_config(CONF))
    active = bound("10.0.0.100")
    expired = active.replace(binding_state=BindingState.EXPIRED)
    assert bodies.for_change(active, LeaseChange(Expired, expired, "expired"), 500) is None
    freed = expired.replace(binding_state=BindingState.FREE)
    ran = bodies.for_change(expired, LeaseChange(Expired, freed, "peer acked"), 500)
    assert ran is not None and ran.log[0].text == "bye"


def test_a_body_that_does_not_parse_is_logged_and_not_run(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    bodies = LeaseBodies(make_config(CONF))
    broken = bound("10.1.0.102", on_expiry="\n    log (info, ;\n  ")
    freed = broken.replace(binding_state=BindingState.FREE)
    ran = bodies.for_change(broken, LeaseChange(Expired, freed, "expired"), 500)
    assert ran is not None and ran.commands == ()
    (line,) = ran.log
    assert line.level is LogLevel.ERROR
    assert line.text.startswith("on expiry statements of lease 10.1.0.102 not run:")


def test_in_front_keeps_the_later_decisions_reply_and_changes() -> None:
    first = Decision(log=(info("a"),), commands=(PendingCommand(0, "/bin/a", ()),))
    then = Decision(log=(info("b"), info("c")), commands=(PendingCommand(2, "/bin/b", ()),),
                    unicast_to_ciaddr=True)
    joined = in_front(first, then)
    assert [line.text for line in joined.log] == ["a", "b", "c"]
    assert [(c.at, c.command) for c in joined.commands] == [(0, "/bin/a"), (3, "/bin/b")]
    assert joined.unicast_to_ciaddr


def test_a_body_from_the_running_configuration_runs_as_it_was_parsed(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    """Its own option spaces and classes, which reading the text back would not know."""
    config = make_config("""
option space site;
option site.tag code 1 = text;
class "late" { match if false; }
subnet 10.1.0.0 netmask 255.255.255.0 {
  range 10.1.0.100 10.1.0.110;
  if known { } else {
    on release { log(info, pick-first-value(option site.tag, "untagged")); add "late"; }
  }
}
""")
    bodies = LeaseBodies(config)
    (text,) = configured_bodies(config)
    old = bound("10.1.0.100", on_release=text)
    freed = old.replace(binding_state=BindingState.FREE, on_expiry=None, on_release=None)
    ran = bodies.for_change(old, LeaseChange(Released, freed, "released"), 500)
    assert ran is not None and [line.text for line in ran.log] == ["untagged"]
