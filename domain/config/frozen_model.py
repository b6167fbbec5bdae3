"""The base of every configuration model: frozen, strict about unknown fields.

The configuration is validated once when it is loaded and then shared by every request
handler, so nothing may change it afterwards; `frozen=True` makes that a rule instead
of a convention.  Bytes (option values, hardware addresses, client ids) are written as
hex in JSON because most of them are not text.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    """A pydantic model that cannot be changed after validation."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="hex")
