"""The DHCP/BOOTP wire codec: datagrams to `DhcpPacket` values and back.

Pure (bytes in, values out), kept beside the UDP adapter that uses it.  `decode`
drops what ISC dhcpd 4.4 drops, raising only `MalformedPacket`; `encode` lays a reply
out as ISC does (option order, overload, RFC 3396 splitting, padding).
"""

from adapters.dhcp_wire.decode import MalformedPacket, decode
from adapters.dhcp_wire.encode import encode, reply_size_limit

__all__ = ["MalformedPacket", "decode", "encode", "reply_size_limit"]
