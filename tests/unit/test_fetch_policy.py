"""The fetch policy on its own: which addresses are refused, and what an allow list lets through."""

from __future__ import annotations

import ipaddress

import pytest

from worker.settings import Settings
from worker.sources.errors import ForbiddenAddress
from worker.sources.policy import FetchPolicy, embedded_ipv4, parse_allow_list, refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "not globally routable"),  # shared address space (CGNAT)
        ("169.254.1.1", "link-local"),
        ("169.254.169.254", "a cloud metadata address"),
        ("168.63.129.16", "a cloud metadata address"),  # Azure's: a public address
        ("100.100.100.200", "a cloud metadata address"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("192.0.0.8", "not globally routable"),
        ("198.18.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),
        ("::ffff:127.0.0.1", "loopback (as 127.0.0.1)"),
        ("::ffff:169.254.169.254", "a cloud metadata address (as 169.254.169.254)"),
        ("64:ff9b::a00:1", "private (as 10.0.0.1)"),
        ("2002:c0a8:101::1", "private (as 192.168.1.1)"),
        ("64:ff9b:1::1", "reserved"),
    ],
)
def test_addresses_inside_the_network_are_refused_with_a_reason(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_embedded_ipv4_addresses_are_found() -> None:
    assert str(embedded_ipv4(ipaddress.ip_address("::ffff:7f00:1"))) == "127.0.0.1"
    assert str(embedded_ipv4(ipaddress.ip_address("64:ff9b::7f00:1"))) == "127.0.0.1"
    assert str(embedded_ipv4(ipaddress.ip_address("2002:7f00:1::"))) == "127.0.0.1"
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1111")) is None


def test_a_host_is_refused_if_any_of_its_addresses_is() -> None:
    policy = FetchPolicy()
    assert [str(a) for a in policy.check("news.test", 443, ["93.184.215.14"])] == ["93.184.215.14"]
    with pytest.raises(ForbiddenAddress, match=r"news\.test \(10\.0\.0\.1\) is private"):
        policy.check("news.test", 443, ["93.184.215.14", "10.0.0.1"])
    with pytest.raises(ForbiddenAddress, match="resolves to no address"):
        policy.check("news.test", 443, [])


@pytest.mark.parametrize(
    ("allow", "host", "address", "port", "allowed"),
    [
        ("10.0.0.0/8", "feeds.internal", "10.9.8.7", 80, True),
        ("10.0.0.0/8", "feeds.internal", "192.168.0.1", 80, False),
        ("feeds.internal:8080", "feeds.internal", "10.9.8.7", 8080, True),
        ("feeds.internal:8080", "FEEDS.internal.", "10.9.8.7", 8080, True),
        ("feeds.internal:8080", "feeds.internal", "10.9.8.7", 6379, False),
        ("feeds.internal:8080", "other.internal", "10.9.8.7", 8080, False),
        ("127.0.0.1:8080", "2130706433", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "127.0.0.1", "127.0.0.1", 6379, False),
        ("[::1]:8080", "::1", "::1", 8080, True),
        ("::1", "::1", "::1", 1, True),
        ("127.0.0.1", "::ffff:127.0.0.1", "::ffff:127.0.0.1", 80, False),
        ("0.0.0.0/0", "metadata.internal", "169.254.169.254", 80, False),  # metadata: never
        ("::/0", "x", "::ffff:169.254.169.254", 80, False),
        ("feeds.internal", "feeds.internal", "fd00:ec2::254", 80, False),
    ],
)
def test_the_allow_list_lets_through_what_it_names_and_never_metadata(
    allow: str, host: str, address: str, port: int, allowed: bool
) -> None:
    policy = FetchPolicy.parse(allow)
    if allowed:
        assert policy.check(host, port, [address])
    else:
        with pytest.raises(ForbiddenAddress):
            policy.check(host, port, [address])


@pytest.mark.parametrize(
    "entry", ["http://feeds.internal", "feeds internal", "host:0", "host:http", "[::1]x", "a:1:b"]
)
def test_a_malformed_allow_entry_is_refused_at_start_up(entry: str) -> None:
    with pytest.raises(ValueError, match="is not host, host:port"):
        parse_allow_list(entry)
    with pytest.raises(ValueError, match="fetch_allow_private"):
        Settings(fetch_allow_private=f"10.0.0.0/8,{entry}")


def test_the_allow_list_is_empty_by_default() -> None:
    assert Settings().fetch_allow_private == "" and parse_allow_list("") == ()
    with pytest.raises(ForbiddenAddress):
        FetchPolicy.parse(Settings().fetch_allow_private).check("localhost", 80, ["127.0.0.1"])
