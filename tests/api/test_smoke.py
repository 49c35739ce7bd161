"""Smoke test of the harness: a node starts, answers /healthz, stops cleanly."""
from knit_test import Node, run


def test_node_starts_serves_healthz_and_stops_cleanly():
    n = Node()
    try:
        r = n.client().get("/healthz")
        assert r.status == 200 and r.json["status"] == "ok", r
        assert n.stop() == 0
    finally:
        n.cleanup()


def test_admin_login_and_whoami():
    n = Node()
    try:
        c = n.admin()
        r = c.get("/api/v1/session")
        assert r.status == 200 and r.json["user"]["username"] == "admin", r
    finally:
        n.cleanup()


run(globals())
