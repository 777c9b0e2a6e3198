#!/usr/bin/env python3
"""A stand-in for a cloud relay: two tun devices (raw IP, like WireGuard's
wg0) whose packets are copied to each other.  Creates TUN_A and TUN_B, prints
"ready", and relays until stdin closes or 120 s pass.  The test then moves
each device into its namespace; the open file descriptors follow them."""
import fcntl, os, select, struct, sys, time

TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


a, b = tun(sys.argv[1]), tun(sys.argv[2])
print("ready", flush=True)
peer = {a: b, b: a}
deadline = time.time() + 120
while time.time() < deadline:
    r, _, _ = select.select([a, b, sys.stdin], [], [], 1.0)
    if sys.stdin in r and not sys.stdin.read(1):
        break
    for fd in (x for x in r if x in peer):
        try:
            os.write(peer[fd], os.read(fd, 65535))
        except OSError:
            pass
