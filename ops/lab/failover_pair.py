"""The tutorial's failover pair, fitted to the lab: dhcp1 (primary) in srv1, dhcp2
(secondary) in srv2, the relationship `dhcp-failover` on ports 847/647, split 128 and
`load balance max seconds 3` as in ops/examples/failover, but with a 20-address pool
and timers short enough for CI (mclt 30, max-response-delay 10).

The same two files serve ISC dhcpd and `leaseledger serve`, so any pairing — ISC with
ours in either role, or ours with ours — runs on one configuration.
"""

from __future__ import annotations

from ops.lab.netns import SRV1_ADDRESS, SRV2_ADDRESS

PEER_NAME = "dhcp-failover"
POOL_SIZE = 20
MCLT = 30
MAX_RESPONSE_DELAY = 10

_SHARED = """\
ddns-update-style none;
authoritative;
ping-check false;
option domain-name "digitalairlines.com";
option domain-name-servers 10.0.0.251, 10.0.0.252;
default-lease-time 600;
max-lease-time 1200;
subnet 10.0.0.0 netmask 255.255.255.0 {
  option routers 10.0.0.1;
  pool {
    failover peer "dhcp-failover";
    deny dynamic bootp clients;
    range 10.0.0.100 10.0.0.119;
  }
}
"""


def _peer(role: str, address: str, port: int, peer_address: str, peer_port: int,
          extra: str = "") -> str:
    primary_only = f"  mclt {MCLT};\n  split 128;\n" if role == "primary" else ""
    return (
        f'failover peer "{PEER_NAME}" {{\n  {role};\n'
        f"  address {address};\n  port {port};\n"
        f"  peer address {peer_address};\n  peer port {peer_port};\n"
        f"  max-response-delay {MAX_RESPONSE_DELAY};\n  max-unacked-updates 10;\n"
        f"{primary_only}  load balance max seconds 3;\n{extra}}}\n"
    )


PRIMARY_CONF = _peer("primary", SRV1_ADDRESS, 847, SRV2_ADDRESS, 647) + _SHARED
SECONDARY_CONF = _peer("secondary", SRV2_ADDRESS, 647, SRV1_ADDRESS, 847) + _SHARED

# For perfdhcp (a relay with giaddr 10.0.0.5, see ops/lab/clients.run_perfdhcp): the
# lab's shared network, its second subnet a failover pool of 1,000 addresses.
LOAD_POOL_SIZE = 1000
_LOAD_SHARED = """\
ddns-update-style none;
authoritative;
ping-check false;
default-lease-time 600;
max-lease-time 1200;
shared-network lab {
  subnet 10.0.0.0 netmask 255.255.255.0 {
  }
  subnet 10.2.0.0 netmask 255.255.240.0 {
    pool {
      failover peer "dhcp-failover";
      range 10.2.0.1 10.2.3.232;
    }
  }
}
"""
LOAD_PRIMARY_CONF = _peer("primary", SRV1_ADDRESS, 847, SRV2_ADDRESS, 647) + _LOAD_SHARED
LOAD_SECONDARY_CONF = _peer("secondary", SRV2_ADDRESS, 647, SRV1_ADDRESS, 847) + _LOAD_SHARED
BOTH_NORMAL = rf"^failover peer {PEER_NAME}: Both servers normal$"

# The same pair, each server moving to partner-down by itself after 5 s without its
# peer (`auto-partner-down`, ISC dhcpd 4.4's statement).
AUTO_PARTNER_DOWN = 5
AUTO_PRIMARY_CONF = _peer("primary", SRV1_ADDRESS, 847, SRV2_ADDRESS, 647,
                          f"  auto-partner-down {AUTO_PARTNER_DOWN};\n") + _SHARED
# The same pair with the pool-balance timer shortened (ISC's defaults: 60 s / 3600 s).
_QUICK_BALANCE = "  min-balance 5;\n  max-balance 15;\n"
QUICK_BALANCE_PRIMARY_CONF = _peer("primary", SRV1_ADDRESS, 847, SRV2_ADDRESS, 647,
                                   _QUICK_BALANCE) + _SHARED
QUICK_BALANCE_SECONDARY_CONF = _peer("secondary", SRV2_ADDRESS, 647, SRV1_ADDRESS, 847,
                                     _QUICK_BALANCE) + _SHARED
AUTO_SECONDARY_CONF = _peer("secondary", SRV2_ADDRESS, 647, SRV1_ADDRESS, 847,
                            f"  auto-partner-down {AUTO_PARTNER_DOWN};\n") + _SHARED
