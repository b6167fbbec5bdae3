"""Cutting the network between the two servers of the lab, and healing it.

A failover partition is the case where both servers still reach their clients but not
each other.  Each server's namespace gets a blackhole route to the other server's
address: the failover TCP connection goes silent (no error, as with a cut cable), while
DHCP traffic — which never goes from one server to the other — is untouched.
"""

from __future__ import annotations

from ops.lab.netns import SRV1, SRV1_ADDRESS, SRV2, SRV2_ADDRESS, Lab, run_ip

_ROUTES = ((SRV1, SRV2_ADDRESS), (SRV2, SRV1_ADDRESS))


def cut(lab: Lab) -> None:
    """srv1 and srv2 can no longer reach each other."""
    for role, other in _ROUTES:
        run_ip("-n", lab.namespace(role), "route", "add", "blackhole", f"{other}/32")


def heal(lab: Lab) -> None:
    """Undo `cut`."""
    for role, other in _ROUTES:
        run_ip("-n", lab.namespace(role), "route", "del", "blackhole", f"{other}/32")
