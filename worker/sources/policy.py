"""The fetch policy: which addresses a producer may connect to.

A producer fetches URLs that strangers wrote (feed entries, redirects, URL lists), so any of
them may point inside our own network: a metadata service, Redis, an admin page. Every address a
host resolves to is judged here, in whatever notation the URL used (the resolver has already
turned ``2130706433``, ``0x7f000001``, ``0177.1`` or ``127.1`` into ``127.0.0.1``), and an IPv6
address that embeds an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``) is judged by the IPv4 address it leads to. Refused: loopback, private,
link-local, multicast, reserved, unspecified, shared (CGNAT) and every other address that is
not globally routable, and the cloud metadata services, which stay refused even when allowed.

``NEWSFLOW_FETCH_ALLOW_PRIVATE`` lists what a deployment may fetch from inside its network:
``host:port``, ``host``, an IP (``10.0.0.7``, ``[fd00::7]:8080``) or a CIDR block
(``10.0.0.0/8``). A name matches the URL's host as written; an IP or block matches the address
the host resolves to. With a port, only that port.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from worker.sources.errors import ForbiddenAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata and platform services of the clouds: never fetched, whatever is allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean, …
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.253",  # AWS DNS
        "169.254.169.123",  # AWS time
        "168.63.129.16",  # Azure platform (a public address)
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS DNS over IPv6
    )
)
# Special-purpose blocks that some Python versions still call global.
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(block) for block in ("192.0.0.0/24", "192.88.99.0/24", "64:ff9b:1::/48")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (mapped, NAT64 or 6to4), if it embeds one."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_metadata(address: IPAddress) -> bool:
    """Whether the address is, or leads to, a cloud metadata service."""
    return address in METADATA_ADDRESSES or embedded_ipv4(address) in METADATA_ADDRESSES


def refusal(address: IPAddress) -> str | None:
    """Why a producer may not connect to this address by default (None: it may)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return f"{reason} (as {inner})" if reason else None
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for reason, flagged in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flagged:
            return reason
    if not address.is_global or any(address in block for block in _NOT_GLOBAL):
        return "not globally routable"
    return None


@dataclass(frozen=True, slots=True)
class AllowRule:
    """One entry of ``NEWSFLOW_FETCH_ALLOW_PRIVATE``: a host name or an address block, and a port."""

    name: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    def matches(self, host: str, address: IPAddress, port: int) -> bool:
        """Whether a connection to ``address`` for ``host``:``port`` is what this entry allows."""
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address.version == self.network.version and address in self.network
        return self.name == host.lower().rstrip(".")


def parse_allow_list(text: str) -> tuple[AllowRule, ...]:
    """Parse ``NEWSFLOW_FETCH_ALLOW_PRIVATE``; raises ValueError naming a malformed entry."""
    return tuple(_parse_entry(entry.strip()) for entry in text.split(",") if entry.strip())


def _parse_entry(entry: str) -> AllowRule:
    host, port = entry, None
    if entry.startswith("["):  # [IPv6] or [IPv6]:port
        host, _, rest = entry[1:].partition("]")
        if rest:
            port = _port(rest.removeprefix(":"), entry) if rest.startswith(":") else _bad(entry)
    elif entry.count(":") == 1:  # host:port, IPv4:port
        host, _, text = entry.partition(":")
        port = _port(text, entry)
    try:
        return AllowRule(network=ipaddress.ip_network(host, strict=False), port=port)
    except ValueError:
        pass
    name = host.lower().rstrip(".")
    if not _HOST_NAME.match(name):
        _bad(entry)
    return AllowRule(name=name, port=port)


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        _bad(entry)
    return int(text)


def _bad(entry: str) -> NoReturn:
    raise ValueError(
        f"{entry!r} is not host, host:port, an IP, [IPv6]:port or a CIDR block (as in 10.0.0.0/8)"
    )


class FetchPolicy:
    """Judges the addresses a host resolved to, before any of them is connected to."""

    def __init__(self, allowed: Sequence[AllowRule] = ()) -> None:
        self.allowed = tuple(allowed)

    @classmethod
    def parse(cls, allow_private: str) -> FetchPolicy:
        """The policy of a ``NEWSFLOW_FETCH_ALLOW_PRIVATE`` value."""
        return cls(parse_allow_list(allow_private))

    def check(self, host: str, port: int, addresses: Sequence[str]) -> list[IPAddress]:
        """The addresses to connect to; raises ``ForbiddenAddress`` if any of them is refused."""
        checked = []
        for text in addresses:
            address = ipaddress.ip_address(text.partition("%")[0])  # drop an IPv6 zone (fe80::1%eth0)
            reason = refusal(address)
            if is_metadata(address) or (reason and not self._allows(host, address, port)):
                shown = f"{host} ({address})" if host != str(address) else host
                raise ForbiddenAddress(f"{shown} is {reason}: producers do not fetch inside the network")
            checked.append(address)
        if not checked:
            raise ForbiddenAddress(f"{host} resolves to no address")
        return checked

    def _allows(self, host: str, address: IPAddress, port: int) -> bool:
        return any(rule.matches(host, address, port) for rule in self.allowed)
