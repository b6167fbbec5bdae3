"""The ISC DHCP failover wire codec: message bytes to typed messages and back.

Pure (bytes in, values out), kept beside the peer link adapter that uses it.
`message_length` reads the 12-byte header's length so the link can frame the stream;
`decode` reads one whole message as ISC dhcpd 4.4 does, raising only
`MalformedFailoverMessage` (one log line, worded like ISC's) where ISC drops the link;
`encode` lays a message out as ISC does, so ISC's own messages round-trip byte for byte.
"""

from adapters.failover_wire.decode import MalformedFailoverMessage, decode, message_length
from adapters.failover_wire.encode import encode

__all__ = ["MalformedFailoverMessage", "decode", "encode", "message_length"]
