"""The namespace lab: real DHCP servers and clients on a private network, for tests.

- `netns`: the topology (`Lab`, a context manager that always tears it down).
- `processes`: a program in a namespace, its log, waiting for a line, stopping by PID.
- `servers`: ISC dhcpd, or any server taking dhcpd's flags (`leaseledger serve`); dhcrelay.
- `clients`: ISC dhclient, busybox udhcpc, and perfdhcp load runs.
- `perfdhcp_output`: reading perfdhcp's final statistics.
- `probe_client`, `probe_packets`: our own client for what real ones do not do on
  demand (decline, record every ACK under load, send garbage).
- `lease_file_check`: the real `dhcpd -T` as the judge of a lease file.

The lab needs root and the Debian packages iproute2, isc-dhcp-server,
isc-dhcp-client, isc-dhcp-relay, udhcpc and kea-admin (perfdhcp).
"""
