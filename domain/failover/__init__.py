"""ISC dhcpd 4.4's DHCPv4 failover state machine and rules, pure.

`transitions` holds every transition as data (the only place they live), `machine`
carries them out with time passed in, `rules` holds the stateless rules (load-balancing
hash, MCLT cap, allocation and BNDUPD acceptance, service state), `states` the enums and
output types they share.
"""
