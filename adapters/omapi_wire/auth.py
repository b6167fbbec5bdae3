"""OMAPI keys: the HMACs ISC dhcpd 4.4 signs OMAPI messages with.

A key's algorithm is named as in dhcpd.conf.  ISC qualifies a bare name the way
parse_key (common/parse.c) does — `hmac-md5` becomes `hmac-md5.SIG-ALG.REG.INT.`, a
dotted name without the final dot gets one — and isclib_make_dst_key
(omapip/isclib.c) then accepts, ignoring case, exactly HMAC-MD5, HMAC-SHA1,
HMAC-SHA224, HMAC-SHA256, HMAC-SHA384 and HMAC-SHA512 under `.SIG-ALG.REG.INT.`.  A key
with any other algorithm can be declared but not used: dhcpd fails to make the
connection's signing key and disconnects.  The signature is the whole HMAC
(dst_key_sigsize: 16 to 64 bytes), with the secret as given — a secret longer than
the hash's block is hashed first, as HMAC itself prescribes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

ALGORITHM_SUFFIX = ".SIG-ALG.REG.INT."

# DHCP_HMAC_*_NAME (includes/omapip/isclib.h), upper case, to the hashlib name.
_DIGESTS = {
    f"HMAC-{name}{ALGORITHM_SUFFIX}": digest
    for name, digest in (("MD5", "md5"), ("SHA1", "sha1"), ("SHA224", "sha224"),
                         ("SHA256", "sha256"), ("SHA384", "sha384"),
                         ("SHA512", "sha512"))
}


def qualified_algorithm(name: str) -> str:
    """An algorithm name as dhcpd stores it (parse_key, common/parse.c)."""
    if "." not in name:
        return name + ALGORITHM_SUFFIX
    return name if name.endswith(".") else name + "."


@dataclass(frozen=True)
class OmapiKey:
    """A shared secret both ends know by `name`.  `algorithm` is ISC's name for the
    HMAC, bare (`hmac-md5`) or qualified (`hmac-md5.SIG-ALG.REG.INT.`)."""

    name: str
    algorithm: str
    secret: bytes = field(repr=False)

    @property
    def usable(self) -> bool:
        """Whether ISC could sign with this key (see the module docstring)."""
        return self._digest() is not None

    @property
    def signature_size(self) -> int:
        """The authlen of a message signed with this key."""
        return hashlib.new(self._required_digest()).digest_size

    def sign(self, data: bytes) -> bytes:
        """The authenticator of `data` (the bytes a message's signature covers).
        Raises ValueError for a key that is not `usable`."""
        return hmac.new(self.secret, data, self._required_digest()).digest()

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's authenticator of `data`, compared in
        constant time.  An unusable key verifies nothing."""
        digest = self._digest()
        if digest is None:
            return False
        expected = hmac.new(self.secret, data, digest).digest()
        return hmac.compare_digest(expected, signature)

    def _digest(self) -> str | None:
        return _DIGESTS.get(qualified_algorithm(self.algorithm).upper())

    def _required_digest(self) -> str:
        digest = self._digest()
        if digest is None:
            raise ValueError(f"OMAPI key {self.name}: algorithm {self.algorithm} "
                             "is not one ISC signs OMAPI messages with")
        return digest
