"""A lease record packed into one bytes object: how the lease table keeps it.

The table holds the current record of every address, 100,000 and more.  As objects, a
record with its times, hardware address, client id and host name costs about 600 bytes;
packed, about 90: the six times and the states in 28 bytes, then the octets.  Reading
one back costs a few microseconds, which a DHCP request can afford a few times over.

Only the common record is packed: one with `set` bindings, relay agent options, a
billing class, `on` blocks, a time beyond 32 bits or an id longer than 255 octets stays
the Lease object it was.  Packing is exact: `unpack(ip, pack(lease)) == lease`.
"""

from __future__ import annotations

import struct

from domain.lease import BindingState, Hardware, Lease

# starts ends tstp tsfp atsfp cltt, then binding / next / rewind state codes, flags
_HEAD = struct.Struct("<6i4B")
_NO_TIME = -(2**31)
_TIME_LIMIT = 2**31
_STATES: tuple[BindingState | None, ...] = (None, *BindingState)
_STATE_CODE = {state: code for code, state in enumerate(_STATES)}
_RESERVED, _BOOTP, _HARDWARE, _UID, _HOSTNAME = 1, 2, 4, 8, 16
_MAX_OCTETS = 255
# Of the head, what the indexes file a record by: `ends`, the binding state, the flags.
_SUMMARY = struct.Struct("<4xi16xB2xB")
_BINDING_AT = 24
_FLAGS_AT = 27

PackedLease = bytes | Lease
# What a projection files a record under: the binding state, `ends`, the client id and
# the hardware key (the type octet and the address; None for an empty address).
Summary = tuple[BindingState | None, int | None, bytes | None, bytes | tuple[int, bytes] | None]


def pack(lease: Lease) -> PackedLease:
    """The compact form of `lease` (the lease itself when it has rare parts)."""
    if (lease.bindings or lease.agent_options or lease.billing is not None
            or lease.on_expiry is not None or lease.on_release is not None
            or lease.on_expiry_or_release):
        return lease
    times: list[int] = []  # a plain loop: packing is on every request's path
    for t in (lease.starts, lease.ends, lease.tstp, lease.tsfp, lease.atsfp, lease.cltt):
        if t is None:
            times.append(_NO_TIME)
        elif _NO_TIME < t < _TIME_LIMIT:
            times.append(t)
        else:
            return lease
    flags = (_RESERVED if lease.reserved else 0) | (_BOOTP if lease.dynamic_bootp else 0)
    tail: list[bytes] = []
    hardware, uid, hostname = lease.hardware, lease.uid, lease.client_hostname
    if hardware is not None:
        if not 0 <= hardware.htype <= _MAX_OCTETS or len(hardware.address) > _MAX_OCTETS:
            return lease
        flags |= _HARDWARE
        tail += (bytes((hardware.htype, len(hardware.address))), hardware.address)
    if uid is not None:
        if len(uid) > _MAX_OCTETS:
            return lease
        flags |= _UID
        tail += (bytes((len(uid),)), uid)
    if hostname is not None:
        try:
            tail.append(hostname.encode("latin-1"))
        except UnicodeEncodeError:
            return lease
        flags |= _HOSTNAME
    head = _HEAD.pack(
        *times,
        _STATE_CODE[lease.binding_state], _STATE_CODE[lease.next_binding_state],
        _STATE_CODE[lease.rewind_binding_state], flags,
    )
    return head + b"".join(tail)


def unpack(ip: str, packed: PackedLease) -> Lease:
    """The Lease that `pack` made `packed` from; `ip` is its address."""
    if isinstance(packed, Lease):
        return packed
    *times, binding, following, rewind, flags = _HEAD.unpack_from(packed)
    at = _HEAD.size
    hardware = None
    if flags & _HARDWARE:
        length = packed[at + 1]
        hardware = Hardware(packed[at], packed[at + 2 : at + 2 + length])
        at += 2 + length
    uid = None
    if flags & _UID:
        length = packed[at]
        uid = packed[at + 1 : at + 1 + length]
        at += 1 + length
    starts, ends, tstp, tsfp, atsfp, cltt = (None if t == _NO_TIME else t for t in times)
    return Lease(
        ip, starts=starts, ends=ends, tstp=tstp, tsfp=tsfp, atsfp=atsfp, cltt=cltt,
        binding_state=_STATES[binding], next_binding_state=_STATES[following],
        rewind_binding_state=_STATES[rewind], reserved=bool(flags & _RESERVED),
        dynamic_bootp=bool(flags & _BOOTP), hardware=hardware, uid=uid,
        client_hostname=packed[at:].decode("latin-1") if flags & _HOSTNAME else None,
    )


def binding_state_of(packed: PackedLease) -> BindingState | None:
    """The record's binding state, read without unpacking it."""
    if isinstance(packed, Lease):
        return packed.binding_state
    return _STATES[packed[_BINDING_AT]]


def summary(packed: PackedLease) -> Summary:
    """What the indexes need of a record, read without unpacking it (a startup files
    100,000 of them)."""
    if isinstance(packed, Lease):
        return packed.binding_state, packed.ends, packed.uid, hardware_key(packed.hardware)
    ends, binding, flags = _SUMMARY.unpack_from(packed)
    at = _HEAD.size
    key = None
    if flags & _HARDWARE:
        length = packed[at + 1]
        if length:
            key = packed[at : at + 1] + packed[at + 2 : at + 2 + length]
        at += 2 + length
    uid = None
    if flags & _UID:
        uid = packed[at + 1 : at + 1 + packed[at]]
    return _STATES[binding], None if ends == _NO_TIME else ends, uid, key


def is_reserved(packed: PackedLease) -> bool:
    """Whether the record is marked `reserved;`, read without unpacking it."""
    if isinstance(packed, Lease):
        return packed.reserved
    return bool(packed[_FLAGS_AT] & _RESERVED)


def hardware_key(hardware: Hardware | None) -> bytes | tuple[int, bytes] | None:
    """The index key of a hardware address (None: not indexed, as an empty address).

    The type octet and the address, as a client identifier built from them is (option
    61, RFC 2132): a table keeps one bytes object for both indexes of such a client.  A
    type beyond one octet (no reader makes one) keeps the pair."""
    if hardware is None or not hardware.address:
        return None
    if 0 <= hardware.htype <= _MAX_OCTETS:
        return bytes((hardware.htype,)) + hardware.address
    return hardware.htype, hardware.address
