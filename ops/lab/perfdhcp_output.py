"""Reading the statistics perfdhcp (Kea 2.2) prints when a DHCPv4 run ends.

perfdhcp is the load generator of the lab and of the benchmarks; its final report is
the only record of how many exchanges completed and how fast.  The report looks like:

```
***Rate statistics***
Rate: 74.7302 4-way exchanges/second, expected rate: 100
...
***Statistics for: DISCOVER-OFFER***
sent packets: 299
received packets: 299
drops: 0
...
min delay: 0.083 ms
avg delay: 0.222 ms
...
***Statistics for: REQUEST-ACK***
...
```

When nothing was received perfdhcp prints `inf`, `n/a` or `-nan` for the delays and
the ratio (and a garbled `avg delay: min delay: n/a` line): those read as "no value".
The `Rate:` figure is perfdhcp's own and counts time it spent waiting at the end, so
`exchanges_per_second` recomputes the rate the lab reports from the ACK count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ops.lab.processes import LabError

_SECTION = re.compile(r"^\*\*\*Statistics for: (?P<exchange>[A-Z-]+)\*\*\*$", re.MULTILINE)
_RATE = re.compile(
    r"^Rate: (?P<rate>[0-9.]+(?:e\+\d+)?) 4-way exchanges/second, "
    r"expected rate: (?P<expected>\d+)$",
    re.MULTILINE,
)
_MALFORMED = re.compile(r"^Malformed packets: (?P<count>\d+)$", re.MULTILINE)
_COUNT = re.compile(r"^(?P<name>[a-z ]+): (?P<value>\d+)$", re.MULTILINE)
_DELAY = re.compile(r"^(?P<which>min|avg|max) delay: (?P<ms>[0-9.]+) ms$", re.MULTILINE)
_COUNT_FIELDS = {
    "sent packets": "sent",
    "received packets": "received",
    "drops": "drops",
    "orphans": "orphans",
    "rejected leases": "rejected_leases",
    "non unique addresses": "non_unique_addresses",
}
DISCOVER_OFFER = "DISCOVER-OFFER"
REQUEST_ACK = "REQUEST-ACK"


class PerfdhcpOutputError(LabError):
    """perfdhcp's output lacked the statistics expected of a finished DHCPv4 run."""


@dataclass(frozen=True)
class ExchangeStats:
    """One half of the 4-way exchange (DISCOVER-OFFER or REQUEST-ACK)."""

    sent: int
    received: int
    drops: int
    orphans: int
    rejected_leases: int
    non_unique_addresses: int
    min_delay_ms: float | None
    avg_delay_ms: float | None
    max_delay_ms: float | None


@dataclass(frozen=True)
class PerfdhcpStats:
    """The final report of one perfdhcp run."""

    reported_rate: float
    expected_rate: int
    malformed: int
    discover_offer: ExchangeStats
    request_ack: ExchangeStats

    @property
    def completed_exchanges(self) -> int:
        """4-way exchanges that ended with an ACK."""
        return self.request_ack.received

    @property
    def completion_ratio(self) -> float:
        """Completed exchanges per DISCOVER sent (0 when nothing was sent)."""
        sent = self.discover_offer.sent
        return self.completed_exchanges / sent if sent else 0.0

    def exchanges_per_second(self, seconds: float) -> float:
        """Completed exchanges per second of a run that sent for `seconds` (`-p`)."""
        return self.completed_exchanges / seconds


def parse_perfdhcp_output(text: str) -> PerfdhcpStats:
    """The statistics of a 4-way (DORA) run in perfdhcp's printed output;
    PerfdhcpOutputError if any of them is missing."""
    rate = _RATE.search(text)
    malformed = _MALFORMED.search(text)
    if rate is None or malformed is None:
        raise PerfdhcpOutputError(
            f"no `Rate:` or `Malformed packets:` line in perfdhcp's output:\n{text[-2000:]}"
        )
    sections = _sections(text)
    for exchange in (DISCOVER_OFFER, REQUEST_ACK):
        if exchange not in sections:
            raise PerfdhcpOutputError(f"no {exchange} statistics in perfdhcp's output:\n"
                                      f"{text[-2000:]}")
    return PerfdhcpStats(
        reported_rate=float(rate["rate"]),
        expected_rate=int(rate["expected"]),
        malformed=int(malformed["count"]),
        discover_offer=_exchange(DISCOVER_OFFER, sections[DISCOVER_OFFER]),
        request_ack=_exchange(REQUEST_ACK, sections[REQUEST_ACK]),
    )


def _sections(text: str) -> dict[str, str]:
    """Each `***Statistics for: X***` block's text, up to the next block."""
    headings = list(_SECTION.finditer(text))
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    return {
        heading["exchange"]: text[heading.end() : end]
        for heading, end in zip(headings, ends, strict=True)
    }


def _exchange(name: str, block: str) -> ExchangeStats:
    counts = {
        _COUNT_FIELDS[match["name"]]: int(match["value"])
        for match in _COUNT.finditer(block)
        if match["name"] in _COUNT_FIELDS
    }
    missing = sorted(set(_COUNT_FIELDS.values()) - counts.keys())
    if missing:
        raise PerfdhcpOutputError(f"{name} statistics lack {', '.join(missing)}:\n{block}")
    delays = {match["which"]: float(match["ms"]) for match in _DELAY.finditer(block)}
    return ExchangeStats(
        **counts,
        min_delay_ms=delays.get("min"),
        avg_delay_ms=delays.get("avg"),
        max_delay_ms=delays.get("max"),
    )
