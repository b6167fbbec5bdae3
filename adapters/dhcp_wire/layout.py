"""The fixed BOOTP/DHCP message layout (RFC 2131 §2, RFC 951), shared by both codec halves.

One precompiled `struct.Struct` reads or writes the whole 236-byte fixed part in a
single call: the server handles thousands of messages a second in Python, and one C
call per header is the cheapest way there.  Sizes and limits are ISC dhcpd's
(`includes/dhcp.h`), because replies must fit where ISC's fit.
"""

from __future__ import annotations

import struct

# op htype hlen hops | xid | secs flags | ciaddr yiaddr siaddr giaddr | chaddr sname file
HEADER = struct.Struct("!BBBBIHH4s4s4s4s16s64s128s")
HEADER_SIZE = HEADER.size  # 236
COOKIE = b"\x63\x82\x53\x63"
OPTIONS_START = HEADER_SIZE + len(COOKIE)  # 240

CHADDR_SIZE = 16
SNAME_OFFSET = 44
SNAME_SIZE = 64
FILE_OFFSET = 108
FILE_SIZE = 128

# RFC 2131 §3.1 / ISC BOOTP_MIN_LEN: no reply is shorter than a BOOTP message.
BOOTP_MIN_SIZE = 300
# Option 57 counts the IP and UDP headers too (ISC DHCP_FIXED_LEN = 236 + 28).
IP_UDP_OVERHEAD = 28
MIN_MESSAGE_SIZE = 576
MAX_MESSAGE_SIZE = 1500
# A BOOTP reply without option 57 gets a 64-byte vendor area: 300 bytes of DHCP payload.
BOOTP_MESSAGE_SIZE = BOOTP_MIN_SIZE + IP_UDP_OVERHEAD

# Option 52's bits: which of the two header fields carry options.
OVERLOAD_FILE = 1
OVERLOAD_SNAME = 2

MAX_OPTION_LENGTH = 255
