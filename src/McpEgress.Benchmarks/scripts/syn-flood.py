#!/usr/bin/env python3
"""Writes a classic pcap (Ethernet) of N TCP connection attempts that have no local socket anywhere: a SYN from a
made-up client 10.77.x.y:port to a made-up server 10.78.x.y:port, each a new 4-tuple. Replayed next to mail traffic by
load-netns.sh, it is the "flood of new connections that have no local socket" of issue 15: every one is a new flow
the daemon's process attribution would have to look up.

Usage: syn-flood.py OUT.pcap COUNT
"""
import struct
import sys


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(i: int) -> bytes:
    src = bytes([10, 77, (i >> 8) & 0xFF, i & 0xFF])
    dst = bytes([10, 78, (i >> 16) & 0xFF, (i * 7) & 0xFF])
    sport = 1024 + (i % 60000)
    dport = (443, 8443, 9000, 5432)[i % 4]
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000 + i, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main() -> None:
    out, count = sys.argv[1], int(sys.argv[2])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            pkt = syn(i)
            f.write(struct.pack("<IIII", 1_700_000_000 + i // 100_000, (i % 100_000) * 10, len(pkt), len(pkt)))
            f.write(pkt)


if __name__ == "__main__":
    main()
