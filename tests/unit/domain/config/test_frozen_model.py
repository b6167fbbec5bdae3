"""The configuration cannot change once validated, and bytes survive JSON."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from domain.config.frozen_model import FrozenModel


class Sample(FrozenModel):
    payload: bytes
    count: int = 0


def test_fields_cannot_be_assigned_after_validation() -> None:
    sample = Sample(payload=b"\x01")
    with pytest.raises(ValidationError):
        sample.count = 2


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        Sample(payload=b"", colour="red")


def test_binary_values_are_written_as_hex() -> None:
    assert json.loads(Sample(payload=b"\xff\x00").model_dump_json())["payload"] == "ff00"
