#!/usr/bin/env python3
"""Fake EC2 instance metadata service (IMDSv2 only) for tests/net/test_keep.sh:
PUT /latest/api/token needs the TTL header; the credential paths need that
token.  Serves role "mitsu-role" with the given keys, session token and an
expiry one hour ahead.  usage: fake_imds.py PORT ACCESS SECRET SESSION_TOKEN"""
import datetime
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, ACCESS, SECRET, SESSION = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
TOKEN = 'imds-token-1'
BASE = '/latest/meta-data/iam/security-credentials/'


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path == '/latest/api/token' and \
                self.headers.get('X-aws-ec2-metadata-token-ttl-seconds'):
            return self.reply(200, TOKEN)
        self.reply(400, 'bad token request')

    def do_GET(self):
        if self.headers.get('X-aws-ec2-metadata-token') != TOKEN:
            return self.reply(401, 'IMDSv2 token missing')
        if self.path == BASE:
            return self.reply(200, 'mitsu-role\n')
        if self.path == BASE + 'mitsu-role':
            exp = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
            return self.reply(200, json.dumps({
                'Code': 'Success', 'Type': 'AWS-HMAC', 'AccessKeyId': ACCESS,
                'SecretAccessKey': SECRET, 'Token': SESSION,
                'Expiration': exp.strftime('%Y-%m-%dT%H:%M:%SZ')}))
        self.reply(404, 'not found')


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(('127.0.0.1', PORT), Handler).serve_forever()
