"""knit_test: harness for Knit's black-box API tests.

Starts real `knit` processes (init, serve, user, token ...) in a fresh
temporary directory and speaks HTTP to them with the standard library only.
Each test file defines functions named test_* and ends with run(globals()),
which runs them in order and prints one summary line "N passed, M failed"
(exit status 1 when anything failed).
"""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KNIT = os.environ.get("KNIT_BIN") or os.path.join(ROOT, "knit")
if not os.path.isabs(KNIT):
    KNIT = os.path.join(ROOT, KNIT)
FAST_ENV = dict(os.environ, KNIT_PWHASH="min")  # real Argon2id, minimal cost


def knit(*args, env=None, stdin=None, check=True, timeout=120):
    """Run the knit CLI; return CompletedProcess (text)."""
    p = subprocess.run([KNIT] + [str(a) for a in args], input=stdin, capture_output=True,
                       text=True, env=env or FAST_ENV, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("knit %s failed (%d): %s" % (" ".join(map(str, args)),
                                                          p.returncode, p.stderr.strip()))
    return p


class Response:
    """One HTTP response: status, headers (lower-case names), body, json."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def error_code(self):
        try:
            return self.json["error"]["code"]
        except (TypeError, KeyError):
            return None

    def error_field(self):
        try:
            return self.json["error"].get("field")
        except (TypeError, KeyError, AttributeError):
            return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Client:
    """HTTP client bound to a node; keeps a session cookie and CSRF token, or
    sends a bearer token.  One keep-alive connection."""

    def __init__(self, node, token=None):
        self.node = node
        self.token = token
        self.cookie = None
        self.csrf = None
        self.conn = None

    def _connect(self):
        if self.node.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.node.port, timeout=30,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.node.port, timeout=30)

    def request(self, method, path, body=None, headers=None, raw=False):
        """Send a request.  body: dict/list (sent as JSON) or bytes/str (as is)."""
        h = {}
        if body is not None and not raw:
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode()
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = "knit_session=" + self.cookie
            if self.csrf and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read().decode("utf-8", "replace")
                hdrs = {k.lower(): v for k, v in r.getheaders()}
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return Response(r.status, hdrs, data)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password):
        r = self.post("/api/v1/session", {"username": username, "password": password})
        if r.status == 200:
            m = re.search(r"knit_session=([^;]*)", r.headers.get("set-cookie", ""))
            self.cookie = m.group(1) if m else None
            self.csrf = r.json["csrf_token"]
        return r

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Node:
    """A node in a fresh temporary directory: `knit init`, then `knit serve`."""

    def __init__(self, serve_args=(), env=None, start=True, tls=False):
        self.dir = tempfile.mkdtemp(prefix="knit-test-")
        self.db = os.path.join(self.dir, "node.db")
        self.env = env or FAST_ENV
        self.proc = None
        self.port = None
        self.tls = tls
        self.serve_args = list(serve_args)
        self.clients = []
        out = knit("init", "--db", self.db, "--node-name", "Test node", "--country", "TH",
                   env=self.env).stdout
        self.admin_password = re.search(r"admin password: (\S+)", out).group(1)
        if tls:
            self.cert = os.path.join(self.dir, "cert.pem")
            self.key = os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-subj", "/CN=localhost", "-days", "1", "-keyout", self.key,
                            "-out", self.cert], check=True, capture_output=True)
            self.serve_args += ["--cert", self.cert, "--key", self.key]
        if start:
            self.start()

    def start(self):
        """Start `knit serve` on a free port and wait for its banner."""
        self.proc = subprocess.Popen([KNIT, "serve", "--db", self.db, "--listen", "127.0.0.1:0"]
                                     + self.serve_args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=self.env)
        line = self.proc.stdout.readline()
        m = re.search(r"https?://127\.0\.0\.1:(\d+)", line)
        if not m:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.proc.kill()
            raise AssertionError("knit serve did not start: %r %s" % (line, err))
        self.port = int(m.group(1))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the server; returns its exit status (None if not running)."""
        for c in self.clients:
            c.close()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.stderr = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None
        return rc

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, token=None):
        c = Client(self, token)
        self.clients.append(c)
        return c

    def admin(self):
        c = self.client()
        r = c.login("admin", self.admin_password)
        assert r.status == 200, r
        return c

    def add_user(self, name, role, password=None):
        """Create a user with the CLI; returns the password."""
        password = password or ("pw-" + name + "-0123456789")
        knit("user", "add", name, "--role", role, "--password-stdin", "--db", self.db,
             stdin=password + "\n", env=self.env)
        return password

    def user_client(self, name, role):
        pw = self.add_user(name, role)
        c = self.client()
        r = c.login(name, pw)
        assert r.status == 200, r
        return c

    def token(self, user="admin", name="test"):
        out = knit("token", "add", user, name, "--db", self.db, env=self.env).stdout
        return re.search(r"(knit_\S+)", out).group(1)

    def sql(self, query, args=()):
        """Run SQL on the node database directly (for checks behind the API)."""
        import sqlite3
        con = sqlite3.connect(self.db)
        try:
            cur = con.execute(query, args)
            rows = cur.fetchall()
            con.commit()
            return rows
        finally:
            con.close()


def person(**kw):
    p = {"native_name": "สมชาย ใจดี", "latin_name": "Somchai Jaidee", "sex": "male",
         "nationality": "TH"}
    p.update(kw)
    return p


def contact(**kw):
    c = {"channel": "phone", "occurred_at": "2026-01-15T10:00:00Z", "summary": "a call"}
    c.update(kw)
    return c


def run(namespace):
    """Run every test_* function of namespace in order; print the summary."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    passed = failed = 0
    for name, fn in tests:
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1fs)" % (name, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
            traceback.print_exc(limit=3, file=sys.stdout)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
