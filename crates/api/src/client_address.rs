//! The address a request came from: the peer's, or, when the peer is a proxy the
//! operator trusts (`LEADS_TRUSTED_PROXIES`), the one it forwarded.
//!
//! `X-Forwarded-For` is read from the right: each proxy appends the address it was
//! reached from, so the first entry from the right that is not a trusted proxy is the
//! client. Entries further left were written by whoever sent the request and are never
//! believed. A header that cannot be read gives the last proxy's address, never a guess.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::HttpRequest;

/// An address range, `203.0.113.0/24` or `2001:db8::/32`; a bare address is one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.base, canonical(address)) {
            (IpAddr::V4(base), IpAddr::V4(address)) => same_prefix(
                u32::from(base).into(),
                u32::from(address).into(),
                32,
                self.prefix,
            ),
            (IpAddr::V6(base), IpAddr::V6(address)) => {
                same_prefix(u128::from(base), u128::from(address), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, bits: u8, prefix: u8) -> bool {
    let host_bits = u32::from(bits - prefix);
    (a ^ b).checked_shr(host_bits).unwrap_or(0) == 0
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) compare as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base = canonical(
            address
                .parse::<IpAddr>()
                .map_err(|_| format!("'{text}' is not an IP address or range"))?,
        );
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("'{text}' has a prefix length that is not 0 to {bits}"))?,
        };
        Ok(Self { base, prefix })
    }
}

/// Reads `LEADS_TRUSTED_PROXIES`: ranges separated by commas.
pub fn parse_list(text: &str) -> Result<Vec<Network>, String> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// The client's address for `req`, as described above.
pub fn of(req: &HttpRequest, trusted: &[Network]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .map(|value| value.to_str().ok())
        .collect::<Option<Vec<_>>>();
    Some(client(peer, forwarded.as_deref(), trusted))
}

/// The client, given the peer and the `X-Forwarded-For` header lines in order (`None`
/// when one is not text).
fn client(peer: IpAddr, forwarded: Option<&[&str]>, trusted: &[Network]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|n| n.contains(address));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(lines) = forwarded else {
        return peer;
    };
    let mut nearest = peer;
    for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
        let Some(address) = entry_address(entry) else {
            return nearest;
        };
        if !is_trusted(address) {
            return address;
        }
        nearest = address;
    }
    nearest
}

/// One entry: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:80`).
fn entry_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn ranges_are_read_and_matched() {
        let nets = parse_list("10.0.0.0/8, 192.0.2.7 ,2001:db8::/32").expect("ranges");
        assert!(nets[0].contains(ip("10.200.3.4")));
        assert!(!nets[0].contains(ip("11.0.0.1")));
        assert!(nets[1].contains(ip("192.0.2.7")));
        assert!(nets[1].contains(ip("::ffff:192.0.2.7")));
        assert!(!nets[1].contains(ip("192.0.2.8")));
        assert!(nets[2].contains(ip("2001:db8:1::9")));
        assert!(!nets[2].contains(ip("2001:db9::1")));
        assert!("0.0.0.0/0"
            .parse::<Network>()
            .expect("all")
            .contains(ip("8.8.8.8")));
        assert!(parse_list("").expect("none").is_empty());
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "proxy.example",
            "10.0.0.0/x",
            "1.2.3",
        ] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_only_from_the_right() {
        let trusted = parse_list("10.0.0.0/8").expect("ranges");
        let peer = ip("10.0.0.2");
        // A peer that is not trusted is the client, whatever it claims.
        assert_eq!(
            client(ip("198.51.100.1"), Some(&["203.0.113.9"]), &trusted),
            ip("198.51.100.1")
        );
        // Through one trusted proxy.
        assert_eq!(
            client(peer, Some(&["203.0.113.9"]), &trusted),
            ip("203.0.113.9")
        );
        // A client forging an entry: the rightmost untrusted entry is the client.
        assert_eq!(
            client(peer, Some(&["1.1.1.1, 203.0.113.9"]), &trusted),
            ip("203.0.113.9")
        );
        // Through two trusted proxies, over two header lines.
        assert_eq!(
            client(peer, Some(&["203.0.113.9, 10.1.1.1", "10.2.2.2"]), &trusted),
            ip("203.0.113.9")
        );
        // Ports and brackets are allowed.
        assert_eq!(
            client(peer, Some(&["[2001:db8::5]:443"]), &trusted),
            ip("2001:db8::5")
        );
        // Nothing forwarded, or an unreadable entry: the nearest proxy.
        assert_eq!(client(peer, None, &trusted), peer);
        assert_eq!(client(peer, Some(&[]), &trusted), peer);
        assert_eq!(
            client(peer, Some(&["203.0.113.9, garbage, 10.3.3.3"]), &trusted),
            ip("10.3.3.3")
        );
        // Every entry trusted: the leftmost.
        assert_eq!(client(peer, Some(&["10.9.9.9"]), &trusted), ip("10.9.9.9"));
        // Nobody trusted: the header means nothing.
        assert_eq!(client(peer, Some(&["203.0.113.9"]), &[]), peer);
    }
}
