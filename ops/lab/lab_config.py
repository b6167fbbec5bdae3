"""The dhcpd.conf every lab test starts from, fitted to the lab's topology.

Short leases, no ping before offers (it costs a second each), and room for perfdhcp's
clients: its giaddr 10.0.0.5 selects the shared network, whose second subnet has 4k
addresses.  Relayed clients (behind dhcrelay, 10.1.0.0/24) get addresses of their own
segment.  The same text serves ISC dhcpd and `leaseledger serve`, so the two can be
compared on one configuration.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

LAB_CONF = """\
authoritative;
ping-check false;
default-lease-time 120;
max-lease-time 300;
shared-network lab {
  subnet 10.0.0.0 netmask 255.255.255.0 {
    range 10.0.0.100 10.0.0.199;
  }
  subnet 10.2.0.0 netmask 255.255.240.0 {
    range 10.2.0.1 10.2.15.254;
  }
}
subnet 10.1.0.0 netmask 255.255.255.0 {
  range 10.1.0.100 10.1.0.199;
  option routers 10.1.0.1;
}
"""
# Where a client on the lab's own segment is given an address.
LAB_RANGE = (IPv4Address("10.0.0.100"), IPv4Address("10.0.0.199"))
# perfdhcp's giaddr 10.0.0.5 selects the shared network: both of its subnets.
SHARED_NETWORK = (IPv4Network("10.0.0.0/24"), IPv4Network("10.2.0.0/20"))
