from domain.config.dns import DnsDefinitions, DnsZone, TsigKey


def test_keys_are_found_case_insensitively_and_replaced_by_name():
    dns = DnsDefinitions()
    dns.add_key(TsigKey("K1", "hmac-md5.SIG-ALG.REG.INT.", b"s"))
    dns.add_key(TsigKey("k1", "hmac-sha256.SIG-ALG.REG.INT.", b"t"))
    assert dns.key("K1").secret == b"t"
    assert len(dns.keys) == 1


def test_usable_algorithms():
    assert TsigKey("k", "hmac-md5.sig-alg.reg.int.", b"s").usable
    assert not TsigKey("k", "hmac-foo.SIG-ALG.REG.INT.", b"s").usable


def test_zones_by_name():
    dns = DnsDefinitions()
    dns.add_zone(DnsZone("example.com."))
    assert "example.com." in dns.zones
