"""The server as an operator sees it: health, metrics, keep-alive, limits,
graceful shutdown, TLS, schema versions, keys and encryption at rest."""
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

from knit_test import KNIT, Node, knit, person, contact, run


def test_index_healthz_and_metrics():
    n = Node()
    try:
        c = n.client()
        r = c.get("/")
        assert r.status == 200 and r.json["node"]["country"] == "TH"
        assert {"method": "GET", "path": "/api/v1/cases/{id}", "capabilities": "k",
                "help": "read a case"} in r.json["routes"]
        assert c.get("/healthz").json["status"] == "ok"
        c.get("/api/v1/cases/1")  # 401
        m = c.get("/metrics")
        assert m.status == 200 and m.headers["content-type"].startswith("text/plain")
        t = m.body
        assert 'knit_http_requests_total{method="GET",route="/healthz",status="200"} 1' in t, t
        assert 'route="/api/v1/cases/{id}",status="401"} 1' in t
        assert 'knit_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"} 1' in t
        assert "knit_db_size_bytes " in t
    finally:
        n.cleanup()


def test_keep_alive_serves_many_requests_on_one_connection():
    n = Node()
    try:
        s = socket.create_connection(("127.0.0.1", n.port))
        f = s.makefile("rb")
        for i in range(50):
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status = f.readline()
            assert b"200" in status, status
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = f.read(length)
            assert b'"ok"' in body
        s.close()
    finally:
        n.cleanup()


def test_graceful_shutdown_finishes_in_flight_requests():
    n = Node()
    try:
        token = n.token()
        acked, errors, stop = [], [], threading.Event()

        def writer():
            c = n.client(token=token)
            i = 0
            while not stop.is_set():
                try:
                    r = c.post("/api/v1/contacts", contact(summary="shutdown %d" % i))
                except Exception:  # noqa: BLE001 - connection refused once stopped
                    break
                if r.status == 201:
                    acked.append(r.json["id"])
                elif r.status not in (503,):
                    errors.append(r)
                i += 1

        threads = [threading.Thread(target=writer) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        rc = n.stop(signal.SIGTERM)
        stop.set()
        for t in threads:
            t.join()
        assert rc == 0, (rc, n.stderr)
        assert not errors, errors[:3]
        assert len(acked) > 10
        stored = {i for (i,) in n.sql("select id from contact")}
        assert set(acked) <= stored
    finally:
        n.cleanup()


def test_tls_serves_https_with_secure_cookie():
    n = Node(tls=True)
    try:
        c = n.client()
        r = c.login("admin", n.admin_password)
        assert r.status == 200 and "Secure" in r.headers["set-cookie"], r.headers
        assert "strict-transport-security" in r.headers
        s = socket.create_connection(("127.0.0.1", n.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(5)
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert not data.startswith(b"HTTP/1.1 200"), data
        s.close()
    finally:
        n.cleanup()


def test_newer_schema_is_refused_and_migrate_is_idempotent():
    n = Node(start=False)
    try:
        p = knit("migrate", "--db", n.db)
        assert "0 migrations applied" in p.stdout, p.stdout
        n.sql("PRAGMA user_version=999")
        s = knit("serve", "--db", n.db, "--listen", "127.0.0.1:0", check=False, timeout=20)
        assert s.returncode != 0 and "schema" in s.stderr, s
        m = knit("migrate", "--db", n.db, check=False)
        assert m.returncode != 0 and "newer" in m.stderr, m
    finally:
        n.cleanup()


def test_keys_stay_outside_and_identity_is_sealed_at_rest():
    n = Node()
    try:
        keyfile = n.db + ".keys"
        assert stat.S_IMODE(os.stat(keyfile).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(n.db).st_mode) & 0o077 == 0
        c = n.admin()
        c.post("/api/v1/persons", person(native_name="ดวงใจ ทดสอบลับ", latin_name="Zyxwvut Secretname",
                                         identifiers=[{"type": "passport", "value": "QQ998877"}]))
        c.post("/api/v1/contacts", contact(summary="Unmistakable summary text 4711",
                                           reporter={"name": "Reporterina Hidden",
                                                     "phone": "+66 99 000 1111"}))
        assert n.stop() == 0
        raw = b""
        for suffix in ("", "-wal"):
            if os.path.exists(n.db + suffix):
                raw += open(n.db + suffix, "rb").read()
        for secret in ("ดวงใจ", "Zyxwvut", "Secretname", "QQ998877", "Unmistakable",
                       "Reporterina", "000 1111"):
            assert secret.encode() not in raw, secret
        # The keys can come from the environment instead of the file.
        text = open(keyfile).read()
        shutil.move(keyfile, keyfile + ".moved")
        env = dict(n.env, KNIT_KEYS=text)
        proc = subprocess.Popen([KNIT, "serve", "--db", n.db, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0 and "serving" in line, line
        proc.stdout.close()
        proc.stderr.close()
        # Without any keys the server does not start.
        s = knit("serve", "--db", n.db, "--listen", "127.0.0.1:0", check=False, timeout=20)
        assert s.returncode != 0 and "key file" in s.stderr, s
    finally:
        n.cleanup()


def test_another_nodes_keys_cannot_read_identity():
    a, b = Node(start=False), Node(start=False)
    try:
        a.start()
        a.admin().post("/api/v1/persons", person())
        a.stop()
        os.remove(a.db + ".keys")
        shutil.copy(b.db + ".keys", a.db + ".keys")
        a.start()
        tok = a.client(token=None)
        # Accounts are readable (not sealed), identity is not.
        c = a.client()
        assert c.login("admin", a.admin_password).status == 200
        r = c.get("/api/v1/persons/1")
        assert r.status == 500 and r.error_code() == "decryption_failed", r
        del tok
    finally:
        a.cleanup()
        b.cleanup()


run(globals())
