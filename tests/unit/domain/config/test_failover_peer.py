"""Failover peer settings: ISC defaults and the split → HBA rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.config.failover_peer import FailoverPeerConfig


def test_unset_settings_take_isc_defaults() -> None:
    peer = FailoverPeerConfig(name="fo", peer_address="10.0.0.12")
    # server/confpars.c parse_failover_peer; spec failover §12
    assert (peer.port, peer.peer_port) == (647, 647)
    assert (peer.max_response_delay, peer.max_unacked_updates) == (20, 100)
    assert (peer.max_lease_misbalance, peer.max_lease_ownership) == (15, 10)
    assert (peer.min_balance, peer.max_balance) == (60, 3600)
    assert peer.role == "primary" and peer.mclt is None
    assert not peer.load_balancing


@pytest.mark.parametrize(
    ("split", "hba"),
    [(0, bytes(32)), (256, b"\xff" * 32), (128, b"\xff" * 16 + bytes(16)),
     (3, b"\x07" + bytes(31))],
)
def test_split_sets_the_first_buckets_for_the_primary(split: int, hba: bytes) -> None:
    assert FailoverPeerConfig(name="fo", split=split).hba == hba


def test_the_model_derives_the_hba_from_split() -> None:
    peer = FailoverPeerConfig(name="fo", split=128, mclt=1800, load_balance_max_seconds=3)
    assert peer.hba == b"\xff" * 16 + bytes(16)
    assert peer.primary_buckets() == 128
    assert peer.load_balancing


def test_an_explicit_hba_is_kept() -> None:
    hba = bytes([0x55]) * 32
    peer = FailoverPeerConfig(name="fo", hba=hba)
    assert peer.hba == hba and peer.primary_buckets() == 128


def test_a_secondary_without_split_has_no_hba() -> None:
    peer = FailoverPeerConfig(name="fo", role="secondary")
    assert peer.hba is None and peer.primary_buckets() == 0


@pytest.mark.parametrize("settings", [{"split": 257}, {"split": -1}, {"hba": b"\xff" * 31}])
def test_impossible_load_balance_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FailoverPeerConfig(name="fo", **settings)  # type: ignore[arg-type]
