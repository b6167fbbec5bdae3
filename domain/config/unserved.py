"""What a configuration asks for that this server does not do, said once at start-up.

dhcpd.conf files carry settings for dhcpd's other services: DNS updates
(`ddns-update-style interim|standard`); and a socket setting this server does not
take from the file (`local-address`).  The configuration still reads and
the server still serves DHCP; what would silently not happen is named at error level,
so it reaches syslog where dhcpd's errors go, with `-t` as well as when serving.
"""

from __future__ import annotations

from domain.config.parameters import ServerParameters


def unserved_lines(params: ServerParameters) -> tuple[str, ...]:
    """One line for each configured service this server does not provide."""
    lines: list[str] = []
    if params.ddns_update_style != "none":
        lines.append(f"ddns-update-style {params.ddns_update_style}: this server sends no"
                     " DNS updates (leases get no forward or reverse names)")
    if params.local_address is not None:
        lines.append(f"local-address {params.local_address}: not honoured; use"
                     " `serve --listen ADDRESS` to bind one address")
    return tuple(lines)
