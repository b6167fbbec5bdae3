"""The dhcpd.leases codec: records to ISC's text and back, with no I/O.

This is the module the lease log and the tools import; the work is done in `writer`
(records to text), `reader` (text to records, offsets, comments and dhcpd's messages),
`dates` and `quoting` (ISC's formats for times and octets).

The promise: for every record ISC dhcpd 4.4 writes, `format_record(record, style)` of
the parsed record is the record's text byte for byte (`style` being the file's
`db-time-format` and `lease-id-format`).  Text that ISC's writer never produces is
read as dhcpd reads it and written back the way ISC would write that record:

- layout: any white space, comments inside a record, upper-case keywords → ISC's layout;
  fields come back in ISC's order;
- a record that lacks the newline after its `}` (the end of a file) gets it;
- `abandoned;` → `binding state abandoned;`; `binding state bootp` / `reserved` →
  `binding state active;` with `dynamic-bootp;` / `reserved;`; a `next` or `rewind
  binding state` equal to the binding state is left out;
- a date's weekday is recomputed, a time-zone offset after it is added in, and a date
  in 2038 or later reads as `never` (dhcpd's reader does all three); a date that comes
  to 0 (1970-01-01 00:00:00) is "no date" and its line is left out, and so is a date
  before 1970, which ISC's writer cannot write (a failover state keeps its state and
  loses the time: `my state S;`);
- `uid 01:02:…;` → octal-quoted (or the other way round under lease-id-format hex);
  colon-hex `set` data → quoted; `set x = TRUE` → `true`; `%007` → `%7`;
- `ddns-fwd-name "x";` → `set ddns-fwd-name = "x";`; `supersede agent.X` →
  `option agent.X`; `unknown-1` (a named agent code) → its name; agent text with a
  trailing NUL loses it; an empty agent value, an empty `on` block, `class NAME;` and a
  client hostname that is not printable are left out, as is `uid "";` (ISC 4.2 wrote it);
- a repeated field keeps its last value (`set` keeps the first spelling of the name);
- where ISC would write text its own reader cannot read back, we write what it can: a
  `"` or `\\` in a name (class, peer, group) is escaped, and an agent value too short
  for its format (ISC's `<error>`) is left out;
- host records are rebuilt from their fields (the statements in them stay verbatim); a
  deleted host keeps only its flags; class, subclass and group records stay verbatim.
"""

from __future__ import annotations

from adapters.dhcpdconf.diagnostics import Diagnostic
from adapters.leasefile.dates import DEFAULT_STYLE, LeaseFileStyle, format_date
from adapters.leasefile.reader import Comment, Entry, LeaseFileParse, parse_lease_file
from adapters.leasefile.writer import (
    format_authoring_byte_order,
    format_failover_state,
    format_file_header,
    format_host,
    format_lease,
    format_record,
    format_server_duid,
)

__all__ = [
    "DEFAULT_STYLE",
    "Comment",
    "Diagnostic",
    "Entry",
    "LeaseFileParse",
    "LeaseFileStyle",
    "format_authoring_byte_order",
    "format_date",
    "format_failover_state",
    "format_file_header",
    "format_host",
    "format_lease",
    "format_record",
    "format_server_duid",
    "parse_lease_file",
]
