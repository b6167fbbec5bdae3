"""What a failover relationship lets the DHCP core do (spec failover §6.1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.config.model import DhcpConfig
from domain.failover.rules import service_state
from domain.failover.service_view import FailoverService, service_for_pool
from domain.failover.states import Role, ServerState, ServiceState
from domain.lease import BindingState
from tests.unit.domain.failover_lab import PEER, pair_config, service

S = ServerState

ANSWERS = [
    (S.NORMAL, S.NORMAL, True),
    (S.COMMUNICATIONS_INTERRUPTED, S.UNKNOWN_STATE, True),
    (S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED, True),
    (S.STARTUP, S.NORMAL, False),  # dhcpd drops clients in startup too
    (S.RECOVER, S.PARTNER_DOWN, False),
    (S.NORMAL, S.PARTNER_DOWN, False),
    (S.UNKNOWN_STATE, S.NORMAL, False),
]


@pytest.mark.parametrize(("mine", "partner", "answers"), ANSWERS)
def test_which_states_answer_clients(
    mine: ServerState, partner: ServerState, answers: bool,
) -> None:
    assert service(Role.PRIMARY, mine, partner).answers_clients is answers


@pytest.mark.parametrize(
    ("role", "own"), [(Role.PRIMARY, BindingState.FREE), (Role.SECONDARY, BindingState.BACKUP)]
)
def test_each_role_owns_one_free_state(role: Role, own: BindingState) -> None:
    assert service(role).own_free_state is own


def test_only_my_own_partner_down_state_counts_as_partner_down() -> None:
    assert service(Role.SECONDARY, S.PARTNER_DOWN).partner_down
    assert not service(Role.SECONDARY, S.NORMAL, S.PARTNER_DOWN).partner_down


def test_a_pool_without_a_mapping_or_a_peer_has_no_service(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(pair_config(Role.PRIMARY))
    pool = config.pools[0]
    assert service_for_pool(pool, None, config) is None
    assert service_for_pool(None, {}, config) is None
    given = service(Role.PRIMARY)
    assert service_for_pool(pool, {PEER: given}, config) is given


@pytest.mark.parametrize("role", [Role.PRIMARY, Role.SECONDARY])
def test_a_peer_missing_from_the_mapping_is_in_unknown_state(
    make_config: Callable[[str], DhcpConfig], role: Role,
) -> None:
    config = make_config(pair_config(role))
    unknown = service_for_pool(config.pools[0], {}, config)
    assert isinstance(unknown, FailoverService)
    assert (unknown.peer, unknown.role, unknown.my_state) == (PEER, role, S.UNKNOWN_STATE)
    assert (unknown.service, unknown.reason) == service_state(S.UNKNOWN_STATE, S.NORMAL)
    assert unknown.service is ServiceState.NOT_RESPONDING
    assert unknown.reason == " (my state unknown)" and not unknown.answers_clients
    assert unknown.mclt == (600 if role is Role.PRIMARY else 0)
