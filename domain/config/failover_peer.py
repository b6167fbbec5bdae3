"""A `failover peer "NAME" { … }` relationship, with ISC's defaults filled in.

dhcpd fills unset failover settings with compiled-in values (server/confpars.c
`parse_failover_peer`; spec failover §12) and turns `split N` into a 256-bit hash
bucket assignment (HBA) whose first N bits are set.  The failover machine and the load
balancing hash read those resolved values from here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from domain.config.checks import hba_from_split
from domain.config.frozen_model import FrozenModel
from domain.config.scopes import SourceLocation

HBA_BYTES = 32
HBA_BUCKETS = 256


class FailoverPeerConfig(FrozenModel):
    """One failover relationship as this server is configured for it.

    `mclt` is None on a secondary that did not set it (it learns the primary's value
    from CONNECT).  `hba` is the effective bucket assignment: the configured one, or the
    one `split` implies; a secondary has none.  `referring_pools` are the ids of the
    pools that name this peer, which dhcpd requires to be at least one.
    """

    name: str
    role: Literal["primary", "secondary"] = "primary"
    address: str | None = None
    port: int = 647
    peer_address: str | None = None
    peer_port: int = 647
    max_response_delay: int = 20
    max_unacked_updates: int = 100
    mclt: int | None = None
    split: int | None = None
    hba: bytes | None = None
    load_balance_max_seconds: int = 0
    auto_partner_down: int = 0
    max_lease_misbalance: int = 15
    max_lease_ownership: int = 10
    min_balance: int = 60
    max_balance: int = 3600
    peer_max_response_delay: int = 0
    peer_max_unacked_updates: int = 0
    referring_pools: tuple[int, ...] = ()
    where: SourceLocation | None = None

    @field_validator("split")
    @classmethod
    def _split_in_range(cls, split: int | None) -> int | None:
        if split is not None and not 0 <= split <= HBA_BUCKETS:
            raise ValueError("split must be between 0 and 256, inclusive")
        return split

    @field_validator("hba")
    @classmethod
    def _hba_is_32_bytes(cls, hba: bytes | None) -> bytes | None:
        if hba is not None and len(hba) != HBA_BYTES:
            raise ValueError("HBA must be exactly 32 bytes")
        return hba

    @model_validator(mode="before")
    @classmethod
    def _hba_from_split(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("hba") is None and data.get("split") is not None:
            split = data["split"]
            if isinstance(split, int) and 0 <= split <= HBA_BUCKETS:
                return {**data, "hba": hba_from_split(split)}
        return data

    @property
    def load_balancing(self) -> bool:
        """dhcpd balances load only when `load balance max seconds` is above zero
        (it warns at start-up otherwise)."""
        return self.load_balance_max_seconds > 0

    def primary_buckets(self) -> int:
        """How many of the 256 hash buckets the primary serves."""
        return sum(bin(byte).count("1") for byte in self.hba or b"")
