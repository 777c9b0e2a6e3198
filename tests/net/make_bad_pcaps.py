#!/usr/bin/env python3
"""Writes the awkward captures the analyzer must survive into DIR:
snaplen 0 and 262144, zero-length packets, a TCP header length past the
packet's end, an unknown pcapng block, a file cut mid-record, a non-pcap."""
import struct, sys, os

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def eth_ip_tcp(payload=b"hello", doff=5, flags=0x18, seq=1, ack=0, rev=False):
    sp, dp = (80, 40000) if rev else (40000, 80)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, doff << 4, flags, 1024, 0, 0) + payload
    a, b = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                     *((b, a) if rev else (a, b)))
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
# One 4-tuple, two connections (a fresh SYN after both FINs): two records.
def conn(isn, data):
    return [eth_ip_tcp(b"", flags=0x02, seq=isn), eth_ip_tcp(b"", flags=0x12, seq=9, ack=isn + 1, rev=True),
            eth_ip_tcp(data, flags=0x18, seq=isn + 1, ack=10),
            eth_ip_tcp(b"", flags=0x11, seq=isn + 1 + len(data), ack=10),
            eth_ip_tcp(b"", flags=0x11, seq=10, ack=isn + 2 + len(data), rev=True)]
pcap("tuple-reuse.pcap", 65535, conn(1000, b"first-connection") + conn(5000, b"second-connection"))
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
