#!/usr/bin/env python3
"""Writes a tiny MaxMind DB (format 2.0, IPv4, 24-bit records) mapping one
address to country / AS data, for the dashboard's --mmdb test:
    make_mmdb.py OUT ADDR COUNTRY ASN ORG
No library writes MMDB on Debian, and the format is small (spec:
https://maxmind.github.io/MaxMind-DB/)."""
import ipaddress
import struct
import sys


def ctrl(typ, size):
    if size < 29:
        sz, extra = size, b""
    elif size < 285:
        sz, extra = 29, bytes([size - 29])
    else:
        sz, extra = 30, struct.pack(">H", size - 285)
    if typ <= 7:
        return bytes([(typ << 5) | sz]) + extra
    return bytes([sz, typ - 7]) + extra


def enc(v):
    if isinstance(v, dict):
        out = ctrl(7, len(v))
        for k, x in v.items():
            out += enc(k) + enc(x)
        return out
    if isinstance(v, str):
        b = v.encode()
        return ctrl(2, len(b)) + b
    if isinstance(v, list):
        return ctrl(11, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, tuple):  # ("u16" | "u32" | "u64", n)
        kind, n = v
        typ = {"u16": 5, "u32": 6, "u64": 9}[kind]
        b = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
        return ctrl(typ, len(b)) + b
    raise TypeError(v)


def main():
    out, addr, country, asn, org = sys.argv[1:6]
    bits = int(ipaddress.IPv4Address(addr))
    data = enc({"country": {"iso_code": country},
                "autonomous_system_number": ("u32", int(asn)),
                "autonomous_system_organization": org})
    n = 32
    tree = b""
    for i in range(n):
        bit = (bits >> (31 - i)) & 1
        nxt = i + 1 if i < n - 1 else n + 16  # data at offset 0
        rec = [n, n]
        rec[bit] = nxt
        tree += rec[0].to_bytes(3, "big") + rec[1].to_bytes(3, "big")
    meta = enc({"node_count": ("u32", n), "record_size": ("u16", 24), "ip_version": ("u16", 4),
                "database_type": "mitsu-test", "languages": ["en"],
                "binary_format_major_version": ("u16", 2), "binary_format_minor_version": ("u16", 0),
                "build_epoch": ("u64", 1700000000), "description": {"en": "mitsu test"}})
    with open(out, "wb") as f:
        f.write(tree + b"\0" * 16 + data + b"\xab\xcd\xefMaxMind.com" + meta)


main()
