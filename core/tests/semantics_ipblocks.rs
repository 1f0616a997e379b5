//! Semantics of ipBlock peers and the outside world: `cidr` minus `except`, IPv4 and IPv6,
//! external endpoints cut at every boundary and merged back where connectivity is equal.

mod common;

use common::{allowed, allowed_in, analyze, deployment, external_cidrs, policy};

const WEB: &str = "shop/Deployment/web";
const API: &str = "shop/Deployment/api";

fn cluster() -> String {
    deployment("shop", "web", "app: web", "") + &deployment("shop", "api", "app: api", "")
}

fn web_ingress(from: &str) -> String {
    cluster()
        + &policy(
            "shop",
            "p",
            &format!("  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: {from}}}]"),
        )
}

#[test]
fn except_is_carved_out_ipv4() {
    let yaml = web_ingress("[{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]");
    let analysis = analyze(&yaml);
    assert_eq!(allowed_in(&analysis, "8.8.8.8", WEB), "all ports");
    assert_eq!(allowed_in(&analysis, "11.0.0.0", WEB), "all ports");
    assert_eq!(allowed_in(&analysis, "9.255.255.255", WEB), "all ports");
    assert_eq!(allowed_in(&analysis, "10.0.0.0", WEB), "no ports");
    assert_eq!(allowed_in(&analysis, "10.255.255.255", WEB), "no ports");
    assert_eq!(allowed_in(&analysis, "2001:db8::1", WEB), "no ports");
    // Two external endpoints: the allowed addresses, and the rest (10/8 and all of IPv6,
    // which behave the same, merged into one).
    assert_eq!(
        external_cidrs(&analysis),
        vec![
            vec![
                "0.0.0.0/5",
                "8.0.0.0/7",
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1"
            ],
            vec!["10.0.0.0/8", "::/0"],
        ]
    );
    let ids: Vec<&str> = analysis
        .endpoints
        .iter()
        .filter(|e| e.is_external())
        .map(|e| e.id.as_ref())
        .collect();
    assert_eq!(
        ids,
        ["external:0.0.0.0/0 except 10.0.0.0/8", "external:10.0.0.0/8, ::/0"]
    );
}

#[test]
fn except_is_carved_out_ipv6() {
    let yaml = web_ingress("[{ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}]");
    let analysis = analyze(&yaml);
    assert_eq!(allowed_in(&analysis, "2001:db8::1", WEB), "all ports");
    assert_eq!(allowed_in(&analysis, "2001:db8:2::1", WEB), "all ports");
    assert_eq!(allowed_in(&analysis, "2001:db8:1::1", WEB), "no ports");
    assert_eq!(allowed_in(&analysis, "2001:db9::", WEB), "no ports");
    assert_eq!(allowed_in(&analysis, "8.8.8.8", WEB), "no ports");
    // Two external endpoints, ordered by first address: everything else (both families,
    // including the except), then the allowed addresses.
    let ids: Vec<&str> = analysis
        .endpoints
        .iter()
        .filter(|e| e.is_external())
        .map(|e| e.id.as_ref())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[1], "external:2001:db8::/32 except 2001:db8:1::/48");
    assert!(ids[0].starts_with("external:0.0.0.0/0, ::/0 except "), "{}", ids[0]);
    let cidrs = external_cidrs(&analysis);
    assert_eq!(
        cidrs[1],
        [
            "2001:db8::/48",
            "2001:db8:2::/47",
            "2001:db8:4::/46",
            "2001:db8:8::/45",
            "2001:db8:10::/44",
            "2001:db8:20::/43",
            "2001:db8:40::/42",
            "2001:db8:80::/41",
            "2001:db8:100::/40",
            "2001:db8:200::/39",
            "2001:db8:400::/38",
            "2001:db8:800::/37",
            "2001:db8:1000::/36",
            "2001:db8:2000::/35",
            "2001:db8:4000::/34",
            "2001:db8:8000::/33"
        ]
    );
    assert!(cidrs[0].contains(&"2001:db8:1::/48".to_string()), "{:?}", cidrs[0]);
    assert_eq!(cidrs[0][0], "0.0.0.0/0");
}

#[test]
fn several_excepts_and_both_families() {
    let yaml = web_ingress(
        "[{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}, {ipBlock: {cidr: '::/0', except: ['fd00::/8']}}]",
    );
    let analysis = analyze(&yaml);
    for (addr, expected) in [
        ("8.8.8.8", "all ports"),
        ("172.15.255.255", "all ports"),
        ("172.16.0.1", "no ports"),
        ("172.32.0.0", "all ports"),
        ("192.168.1.1", "no ports"),
        ("2001:db8::1", "all ports"),
        ("fd00::1", "no ports"),
        ("fe00::1", "all ports"),
    ] {
        assert_eq!(allowed_in(&analysis, addr, WEB), expected, "{addr}");
    }
    let ids: Vec<&str> = analysis
        .endpoints
        .iter()
        .filter(|e| e.is_external())
        .map(|e| e.id.as_ref())
        .collect();
    assert_eq!(
        ids,
        [
            "external:0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, ::/0 except fd00::/8",
            "external:10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8"
        ]
    );
}

#[test]
fn externals_are_cut_at_boundaries_and_merged_back() {
    // Two adjacent blocks with the same effect merge into one range; a third with a
    // different port stays apart.
    let yaml = cluster()
        + &policy("shop", "a", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16}}], ports: [{port: 80}]}]")
        + &policy("shop", "b", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16}}], ports: [{port: 80}]}]")
        + &policy("shop", "c", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 10.2.0.0/16}}], ports: [{port: 443}]}]");
    let analysis = analyze(&yaml);
    let cidrs = external_cidrs(&analysis);
    assert!(cidrs.contains(&vec!["10.0.0.0/15".to_string()]), "{cidrs:?}");
    assert!(cidrs.contains(&vec!["10.2.0.0/16".to_string()]), "{cidrs:?}");
    assert_eq!(cidrs.len(), 3, "{cidrs:?}");
    assert_eq!(allowed_in(&analysis, "10.1.2.3", WEB), "TCP 80");
    assert_eq!(allowed_in(&analysis, "10.2.2.3", WEB), "TCP 443");
    assert_eq!(allowed_in(&analysis, "10.3.0.0", WEB), "no ports");
    // Each endpoint's cidrs are exactly the addresses of its id.
    for e in analysis.endpoints.iter().filter(|e| e.is_external()) {
        let set = common::external_set(e);
        assert_eq!(netreach_core::analysis::external_id(&set), *e.id);
    }
}

#[test]
fn overlapping_blocks_of_one_rule_union() {
    let yaml = web_ingress(
        "[{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}, {ipBlock: {cidr: 10.1.0.0/16, except: [10.1.1.0/24]}}]",
    );
    assert_eq!(allowed(&yaml, "10.1.2.3", WEB), "all ports");
    assert_eq!(allowed(&yaml, "10.1.1.3", WEB), "no ports");
    assert_eq!(allowed(&yaml, "10.200.0.1", WEB), "all ports");
}

#[test]
fn egress_ip_blocks_and_no_cluster_matching() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: api}}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}], ports: [{port: 443}]}]",
        );
    assert_eq!(allowed(&yaml, API, "1.2.3.4"), "TCP 443");
    assert_eq!(allowed(&yaml, API, "169.254.169.254"), "no ports");
    assert_eq!(allowed(&yaml, API, "169.254.169.255"), "TCP 443");
    // ipBlocks match addresses outside the model only, never workloads.
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
}

#[test]
fn host_bits_are_ignored() {
    let yaml = web_ingress("[{ipBlock: {cidr: 10.1.2.3/16}}]");
    assert_eq!(allowed(&yaml, "10.1.200.1", WEB), "all ports");
    assert_eq!(allowed(&yaml, "10.2.0.1", WEB), "no ports");
}
