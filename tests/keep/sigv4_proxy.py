#!/usr/bin/env python3
"""Test proxy in front of an S3 server: recomputes each request's AWS SigV4
signature with botocore (an implementation independent of libcurl's) and
answers 403 SignatureDoesNotMatch when it differs, 400 when the body does
not hash to x-amz-content-sha256; forwards everything else unchanged.

usage: sigv4_proxy.py LISTEN_PORT BACKEND_PORT ACCESS_KEY SECRET LOGFILE
The log gets one line per request: "ok METHOD PATH" or "bad METHOD PATH why".
Only 127.0.0.1 is used."""
import hashlib
import http.client
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LISTEN, BACKEND = int(sys.argv[1]), int(sys.argv[2])
ACCESS, SECRET, LOG = sys.argv[3], sys.argv[4], sys.argv[5]
AUTH_RE = re.compile(r'AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, '
                     r'SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$')
lock = threading.Lock()


def log(line):
    with lock, open(LOG, 'a') as f:
        f.write(line + '\n')


def check(method, path, headers, body):
    """Returns None when the request is correctly signed, else the reason."""
    m = AUTH_RE.match(headers.get('Authorization', ''))
    if not m:
        return 'no SigV4 Authorization header'
    access, _day, region, signed, sig = m.groups()
    if access != ACCESS:
        return 'unknown access key'
    want_sha = headers.get('x-amz-content-sha256')
    if want_sha != hashlib.sha256(body).hexdigest():
        return 'x-amz-content-sha256 is not the SHA-256 of the body'
    names = signed.split(';')
    for required in ('host', 'x-amz-date', 'x-amz-content-sha256'):
        if required not in names:
            return 'header %s not signed' % required
    req = AWSRequest(method=method, url='http://%s%s' % (headers['Host'], path),
                     headers={n: headers[n] for n in names if headers.get(n) is not None},
                     data=body)
    auth = S3SigV4Auth(Credentials(access, SECRET), 's3', region)
    req.context['timestamp'] = headers['x-amz-date']
    cr = auth.canonical_request(req)
    expect = auth.signature(auth.string_to_sign(req, cr), req)
    if auth.signed_headers(auth.headers_to_sign(req)) != signed:
        return 'signed header list differs (%s)' % signed
    return None if expect == sig else 'signature differs'


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        why = check(self.command, self.path, self.headers, body)
        if why:
            log('bad %s %s %s' % (self.command, self.path, why))
            code = 400 if 'SHA-256' in why else 403
            msg = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s'
                   '</Message></Error>' % ('XAmzContentSHA256Mismatch' if code == 400
                                           else 'SignatureDoesNotMatch', why)).encode()
            return self.reply(code, [('Content-Type', 'application/xml')], msg)
        log('ok %s %s' % (self.command, self.path))
        try:
            conn = http.client.HTTPConnection('127.0.0.1', BACKEND, timeout=30)
            hdrs = {k: v for k, v in self.headers.items() if k.lower() != 'connection'}
            conn.request(self.command, self.path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            headers = [(k, v) for k, v in r.getheaders()
                       if k.lower() not in ('connection', 'transfer-encoding', 'content-length')]
            conn.close()
        except OSError as e:
            msg = ('<Error><Code>ServiceUnavailable</Code><Message>backend: %s</Message></Error>'
                   % e).encode()
            return self.reply(503, [('Content-Type', 'application/xml')], msg)
        self.reply(r.status, headers, data)

    def reply(self, code, headers, data):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(('127.0.0.1', LISTEN), Handler).serve_forever()
