"""`omapi-key` as dhcpd reads it: the key must be declared (dhcpd's fatal line names it
otherwise); the declared keys reach the model without their secrets in dumps."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from ops.omapi_service import omapi_key_error

SUBNET = "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"
KEY = 'key OmKey { algorithm hmac-md5; secret "c2VjcmV0c2VjcmV0MTIzNA=="; }\n'


def test_an_omapi_key_must_name_a_declared_key(make_config: Callable[[str], DhcpConfig]) -> None:
    assert omapi_key_error(make_config("omapi-port 7911;\n" + SUBNET)) is None
    declared = make_config(KEY + "omapi-port 7911;\nomapi-key omkey;\n" + SUBNET)
    assert omapi_key_error(declared) is None  # key names are not case-sensitive
    missing = make_config("omapi-port 7911;\nomapi-key nokey;\n" + SUBNET)
    assert omapi_key_error(missing) == "OMAPI key nokey: not found"


def test_declared_keys_reach_the_model_but_not_its_dumps(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(KEY + "omapi-key OmKey;\n" + SUBNET)
    [key] = config.keys
    assert (key.name, key.algorithm, key.secret) == (
        "OmKey", "hmac-md5.SIG-ALG.REG.INT.", b"secretsecret1234")
    assert config.global_parameters.omapi_key == "OmKey"
    assert "secret" not in config.model_dump_json() and "secret" not in repr(key)
