#!/usr/bin/python3
"""Alert receivers for tests/net/test_alerts.sh, all on 127.0.0.1, each
writing what it gets to a file in OUTDIR (one line per message):

  webhook   HTTP POST on --http PORT       -> web.jsonl (the body)
  flaky     HTTP POST on --flaky PORT      -> flaky.jsonl; answers 500 to the
            first --fail-first N requests (retries must get through)
  syslog    UDP on --syslog-udp PORT       -> syslog_udp.txt
            TCP on --syslog-tcp PORT       -> syslog_tcp.txt (octet-counted
            frames "LEN SP MSG" are checked and unwrapped; a bad frame is
            written as "BADFRAME ...")
  smtp      aiosmtpd on --smtp PORT        -> mail.txt (envelope + message)
            --smtp-tls PORT: requires STARTTLS (--cert, --key) and AUTH
            (--user, --password)              -> mail_tls.txt
            --smtps PORT: implicit TLS and the same AUTH -> mail_tls.txt
  syslog    datagrams on --syslog-unix PATH -> syslog_unix.txt

Writes OUTDIR/ready when every listener is up.  Stops on SIGTERM, or after
--lifetime seconds in any case.
"""
import argparse
import http.server
import os
import signal
import socket
import socketserver
import sys
import threading
import time

from aiosmtpd.controller import Controller

lock = threading.Lock()


def append(outdir, name, data):
    with lock:
        with open(os.path.join(outdir, name), "ab") as f:
            f.write(data.rstrip(b"\n") + b"\n")


def http_handler(outdir, name, fail_first):
    state = {"n": 0}

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n) if 0 < n < 1 << 20 else b""
            with lock:
                state["n"] += 1
                k = state["n"]
            if k <= fail_first:
                append(outdir, name + ".fails", b"%d" % k)
                self.send_response(500)
                self.end_headers()
                return
            ctype = self.headers.get("Content-Type", "")
            if ctype != "application/json":
                append(outdir, name, b"BADTYPE " + ctype.encode())
            append(outdir, name, body)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    return H


class TS(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve_http(port, handler):
    srv = TS(("127.0.0.1", port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def syslog_udp(outdir, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))

    def run():
        while True:
            data, _ = s.recvfrom(65536)
            append(outdir, "syslog_udp.txt", data)

    threading.Thread(target=run, daemon=True).start()


def syslog_tcp(outdir, port):
    class H(socketserver.BaseRequestHandler):
        def handle(self):
            buf = b""
            while True:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while b" " in buf:
                    ln, rest = buf.split(b" ", 1)
                    if not ln.isdigit():
                        append(outdir, "syslog_tcp.txt", b"BADFRAME " + buf[:80])
                        return
                    n = int(ln)
                    if len(rest) < n:
                        break
                    append(outdir, "syslog_tcp.txt", rest[:n])
                    buf = rest[n:]

    srv = TS(("127.0.0.1", port), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()


class Mail:
    def __init__(self, outdir, name="mail.txt"):
        self.outdir = outdir
        self.name = name

    async def handle_DATA(self, server, session, envelope):
        head = "MAIL FROM:%s RCPT TO:%s TLS:%s AUTH:%s\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos),
            session.ssl is not None, session.authenticated)
        append(self.outdir, self.name, head.encode() + envelope.original_content + b"\n.\n")
        return "250 OK"


def authenticator(user, password):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok)
    return check


def syslog_unix(outdir, path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)  # the sensor sends as nobody

    def run():
        while True:
            append(outdir, "syslog_unix.txt", s.recv(65536))

    threading.Thread(target=run, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--http", type=int)
    ap.add_argument("--flaky", type=int)
    ap.add_argument("--fail-first", type=int, default=2)
    ap.add_argument("--syslog-udp", type=int)
    ap.add_argument("--syslog-tcp", type=int)
    ap.add_argument("--smtp", type=int)
    ap.add_argument("--smtp-tls", type=int)
    ap.add_argument("--smtps", type=int)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", default="mitsu")
    ap.add_argument("--password", default="")
    ap.add_argument("--syslog-unix")
    ap.add_argument("--lifetime", type=int, default=300)
    a = ap.parse_args()
    if a.http:
        serve_http(a.http, http_handler(a.outdir, "web.jsonl", 0))
    if a.flaky:
        serve_http(a.flaky, http_handler(a.outdir, "flaky.jsonl", a.fail_first))
    if a.syslog_udp:
        syslog_udp(a.outdir, a.syslog_udp)
    if a.syslog_tcp:
        syslog_tcp(a.outdir, a.syslog_tcp)
    if a.syslog_unix:
        syslog_unix(a.outdir, a.syslog_unix)
    ctls = []
    if a.smtp:
        ctls.append(Controller(Mail(a.outdir), hostname="127.0.0.1", port=a.smtp))
    if a.smtp_tls or a.smtps:
        import ssl
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    if a.smtps:
        ctls.append(Controller(Mail(a.outdir, "mail_tls.txt"), hostname="127.0.0.1",
                               port=a.smtps, ssl_context=ctx,
                               authenticator=authenticator(a.user, a.password),
                               # TLS from the first byte (aiosmtpd's session.ssl only
                               # reports STARTTLS): a plaintext client cannot talk here
                               auth_require_tls=False, auth_required=True))
    if a.smtp_tls:
        ctls.append(Controller(Mail(a.outdir, "mail_tls.txt"), hostname="127.0.0.1",
                               port=a.smtp_tls, tls_context=ctx, require_starttls=True,
                               authenticator=authenticator(a.user, a.password),
                               auth_require_tls=True))
    for c in ctls:
        c.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: stop.set())
    open(os.path.join(a.outdir, "ready"), "w").close()
    stop.wait(a.lifetime)
    for c in ctls:
        c.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
