"""The OMAPI wire codec: pure bytes in, values out, as ISC omapip 4.4 lays them out.

OMAPI is dhcpd's control protocol (`omapi-port`, omshell, dhcpctl).  Each side first
sends an 8-byte introduction — protocol version 100 and header size 24 (`intro`); then
messages, each a 24-byte header, the message's name/value pairs, the carried object's
pairs and an optional signature (an HMAC, `OmapiKey`).  `OmapiReader` frames one
connection's incoming bytes and hands out each message with the bytes its signature
covers; `encode` lays a message out, signing it when given a key.  Malformed input
raises only `MalformedOmapiMessage`.  What the signature covers, with the ISC sources
that say so, is documented in `adapters.omapi_wire.codec`.
"""

from adapters.omapi_wire.auth import OmapiKey, qualified_algorithm
from adapters.omapi_wire.codec import (
    MAX_HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    MAX_NAME_SIZE,
    MAX_SIGNATURE_SIZE,
    MAX_VALUE_SIZE,
    OmapiReader,
    Received,
    encode,
)
from adapters.omapi_wire.message import (
    HEADER_SIZE,
    INTRO_SIZE,
    OP_DELETE,
    OP_NOTIFY,
    OP_OPEN,
    OP_REFRESH,
    OP_STATUS,
    OP_UPDATE,
    PROTOCOL_VERSION,
    Intro,
    MalformedOmapiMessage,
    OmapiMessage,
    Op,
    boolean_value,
    handle_value,
    int_value,
    intro,
    read_int,
    read_intro,
)

__all__ = [
    "HEADER_SIZE",
    "INTRO_SIZE",
    "MAX_HEADER_SIZE",
    "MAX_MESSAGE_SIZE",
    "MAX_NAME_SIZE",
    "MAX_SIGNATURE_SIZE",
    "MAX_VALUE_SIZE",
    "OP_DELETE",
    "OP_NOTIFY",
    "OP_OPEN",
    "OP_REFRESH",
    "OP_STATUS",
    "OP_UPDATE",
    "PROTOCOL_VERSION",
    "Intro",
    "MalformedOmapiMessage",
    "OmapiKey",
    "OmapiMessage",
    "OmapiReader",
    "Op",
    "Received",
    "boolean_value",
    "encode",
    "handle_value",
    "int_value",
    "intro",
    "qualified_algorithm",
    "read_int",
    "read_intro",
]
