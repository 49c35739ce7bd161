"""Crash safety: kill -9 the server while clients write; every write that
was acknowledged with 2xx survives, the database is intact and the audit
chain still verifies."""
import signal
import threading
import time

from knit_test import Node, knit, contact, run


def kill_during_writes(n, token, seconds):
    acked, stop = [], threading.Event()
    lock = threading.Lock()

    def writer(w):
        c = n.client(token=token)
        i = 0
        while not stop.is_set():
            summary = "crash w%d n%d %f" % (w, i, time.time())
            try:
                r = c.post("/api/v1/contacts", contact(summary=summary))
            except Exception:  # noqa: BLE001 - the server is gone
                break
            if r.status == 201:
                with lock:
                    acked.append((r.json["id"], summary))
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    n.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    return acked


def test_acknowledged_writes_survive_kill_9():
    n = Node()
    try:
        token = n.token()
        total = 0
        for round_ in range(2):
            acked = kill_during_writes(n, token, 1.5)
            assert len(acked) > 20, len(acked)
            total += len(acked)
            n.start()
            c = n.client(token=token)
            for cid, summary in acked:
                r = c.get("/api/v1/contacts/%d" % cid)
                assert r.status == 200 and r.json["summary"] == summary, (cid, r)
        assert n.stop() == 0
        assert n.sql("PRAGMA integrity_check") == [("ok",)]
        p = knit("audit", "verify", "--db", n.db)
        assert "intact" in p.stdout, p.stdout
        print("  acknowledged writes checked after two kills: %d" % total)
    finally:
        n.cleanup()


run(globals())
