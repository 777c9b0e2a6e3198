#!/usr/bin/env python3
"""Writes the awkward captures the analyzer must survive into DIR:
snaplen 0 and 262144, zero-length packets, a TCP header length past the
packet's end, an unknown pcapng block, a file cut mid-record, a non-pcap."""
import struct, sys, os

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def eth_ip_tcp(payload=b"hello", doff=5):
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, doff << 4, 0x18, 1024, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                     bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
    return b"\x00" * 6 + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp


def pcap(name, snaplen, pkts, cut=0):
    data = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 1)
    for i, p in enumerate(pkts):
        data += struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p
    if cut:
        data = data[:-cut]
    open(os.path.join(d, name), "wb").write(data)


pcap("snaplen0.pcap", 0, [eth_ip_tcp()])
pcap("snaplen262144.pcap", 262144, [eth_ip_tcp(b"x" * 1000)])
pcap("zerolen.pcap", 65535, [b"", eth_ip_tcp(), b""])
pcap("tcphdr-past-end.pcap", 65535, [eth_ip_tcp(b"", doff=15), eth_ip_tcp()])
pcap("cut.pcap", 65535, [eth_ip_tcp(), eth_ip_tcp(b"y" * 200)], cut=50)
open(os.path.join(d, "text.pcap"), "w").write("this is not a capture\n")


def block(btype, body):
    body += b"\x00" * ((4 - len(body) % 4) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = block(1, struct.pack("<HHI", 1, 0, 65535))
epb = lambda p: block(6, struct.pack("<IIIII", 0, 0, 0, len(p), len(p)) + p)
unknown = block(0x0BAD0BAD, b"mystery block")
open(os.path.join(d, "unknown-block.pcapng"), "wb").write(shb + idb + epb(eth_ip_tcp()) + unknown + epb(eth_ip_tcp(b"after")))
