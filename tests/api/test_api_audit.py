"""The audit log through the API and `knit audit verify` against tampering."""
from knit_test import Node, knit, person, run


def test_audit_api_pages_and_filters_for_auditors_only():
    n = Node()
    try:
        c = n.admin()
        for i in range(3):
            c.post("/api/v1/persons", person(latin_name="P %d" % i))
        all_rows = c.get("/api/v1/audit?limit=1000").json["items"]
        seen, cursor = [], None
        while True:
            r = c.get("/api/v1/audit?limit=2" + ("&after=" + cursor if cursor else ""))
            assert r.status == 200, r
            seen += [x["id"] for x in r.json["items"]]
            cursor = r.json["next"]
            if not cursor:
                break
        assert seen == [x["id"] for x in all_rows] and len(seen) >= 6
        mine = c.get("/api/v1/audit?actor=admin&limit=1000").json["items"]
        assert mine and all(x["actor"] == "admin" for x in mine)
        row = [x for x in all_rows if x["action"] == "person.create"][0]
        assert row["ip"] == "127.0.0.1" and row["object_type"] == "person" and row["at"]
        r = c.get("/api/v1/audit?colour=red")
        assert r.status == 400 and r.error_field() == "colour", r
        assert n.user_client("w", "caseworker").get("/api/v1/audit").status == 403
        assert n.user_client("a", "auditor").get("/api/v1/audit").status == 200
    finally:
        n.cleanup()


def changed_node():
    n = Node()
    c = n.admin()
    for i in range(4):
        c.post("/api/v1/persons", person(latin_name="P %d" % i))
    assert n.stop() == 0
    assert "intact" in knit("audit", "verify", "--db", n.db).stdout
    return n


def test_verify_names_an_edited_row():
    n = changed_node()
    try:
        try:
            n.sql("UPDATE audit SET detail='{}' WHERE id=3")
            raise AssertionError("the audit table accepted an UPDATE")
        except Exception as e:  # noqa: BLE001
            assert "append-only" in str(e), e
        n.sql("DROP TRIGGER audit_no_update")
        n.sql("UPDATE audit SET actor='someone else' WHERE id=4")
        p = knit("audit", "verify", "--db", n.db, check=False)
        assert p.returncode == 1 and "row 4: edited" in p.stdout, p.stdout
    finally:
        n.cleanup()


def test_verify_names_a_deleted_row_and_a_deleted_tail():
    n = changed_node()
    try:
        n.sql("DROP TRIGGER audit_no_delete")
        n.sql("DELETE FROM audit WHERE id=5")
        p = knit("audit", "verify", "--db", n.db, check=False)
        assert p.returncode == 1 and "row 5: deleted" in p.stdout, p.stdout
        last = n.sql("SELECT max(id) FROM audit")[0][0]
        n.sql("DELETE FROM audit WHERE id=%d" % last)
        p = knit("audit", "verify", "--db", n.db, check=False)
        assert p.returncode == 1 and "deleted from the end" in p.stdout, p.stdout
    finally:
        n.cleanup()


run(globals())
