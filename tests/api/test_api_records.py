"""Persons, cases and contacts through the JSON API: CRUD, versions,
filters, cursor pagination, soft delete, reporter identity and audited reads."""
import urllib.parse

from knit_test import Node, person, contact, run


def audit_actions(node, object_type=None):
    c = node.admin()
    path = "/api/v1/audit?limit=1000" + ("&object_type=" + object_type if object_type else "")
    return [x["action"] for x in c.get(path).json["items"]]


def test_person_create_read_update_with_versions():
    n = Node()
    try:
        c = n.admin()
        p = person(other_names=["Chai"], date_of_birth={"year": 1990, "plus_minus_years": 2},
                   languages=["th", "en"],
                   identifiers=[{"type": "passport", "value": "AA 123-45", "country": "TH"}])
        r = c.post("/api/v1/persons", p)
        assert r.status == 201, r
        pid = r.json["id"]
        for k in p:
            assert r.json[k] == p[k], (k, r.json[k])
        assert r.json["version"] == 1
        r = c.patch("/api/v1/persons/%d" % pid, {"version": 1, "latin_name": "Somchai J."})
        assert r.status == 200 and r.json["version"] == 2 and r.json["latin_name"] == "Somchai J."
        stale = c.patch("/api/v1/persons/%d" % pid, {"version": 1, "latin_name": "Other"})
        assert stale.status == 409 and stale.error_code() == "version_conflict", stale
        got = c.get("/api/v1/persons/%d" % pid).json
        assert got["latin_name"] == "Somchai J." and got["version"] == 2
        r = c.patch("/api/v1/persons/%d" % pid, {"version": 2, "other_names": None})
        assert r.status == 200 and r.json["other_names"] is None, r
        for dob in ({"date": "1999-12-31"}, {"year": 2001, "month": 5},
                    {"age": 15, "as_of": "2025-06-01"}):
            r = c.post("/api/v1/persons", person(date_of_birth=dob))
            assert r.status == 201 and r.json["date_of_birth"] == dob, r
    finally:
        n.cleanup()


def test_person_filters_use_blind_indexes():
    n = Node()
    try:
        c = n.admin()
        a = c.post("/api/v1/persons", person(
            identifiers=[{"type": "passport", "value": "AA 123-45"}])).json["id"]
        c.post("/api/v1/persons", person(native_name="ບົວສີ", latin_name="Bouasy",
                                         nationality="LA", sex="female"))
        ids = lambda q: [x["id"] for x in c.get("/api/v1/persons?" + q).json["items"]]
        assert ids("name=somchai%20jaidee") == [a]
        assert ids("name=%EF%BC%B3omchai%20Jaidee") == [a]  # fullwidth S
        assert ids("name=" + urllib.parse.quote("สมชาย ใจดี")) == [a]
        assert ids("identifier=aa12345") == [a]
        assert len(ids("nationality=LA")) == 1 and len(ids("sex=female")) == 1
        r = c.get("/api/v1/persons?colour=red")
        assert r.status == 400 and r.error_field() == "colour", r
    finally:
        n.cleanup()


def test_cursor_pagination_returns_every_record_once_in_order():
    n = Node()
    try:
        c = n.admin()
        made = [c.post("/api/v1/contacts", contact(summary="c%d" % i)).json["id"]
                for i in range(25)]
        seen, cursor = [], None
        while True:
            r = c.get("/api/v1/contacts?limit=10" + ("&after=" + cursor if cursor else ""))
            assert r.status == 200, r
            seen += [x["id"] for x in r.json["items"]]
            cursor = r.json["next"]
            if cursor is None:
                break
        assert seen == made
        for bad in ("limit=0", "limit=1001", "limit=abc", "after=zzz"):
            r = c.get("/api/v1/contacts?" + bad)
            assert r.status == 400, (bad, r)
    finally:
        n.cleanup()


def test_cases_reference_live_persons_and_filter():
    n = Node()
    try:
        c = n.admin()
        pid = c.post("/api/v1/persons", person()).json["id"]
        r = c.post("/api/v1/cases", {"person_id": 99999, "agency": "A"})
        assert r.status == 400 and r.error_field() == "person_id", r
        k1 = c.post("/api/v1/cases", {"person_id": pid, "agency": "A"}).json
        k2 = c.post("/api/v1/cases", {"person_id": pid, "agency": "B", "status": "active",
                                      "trafficking_status": "presumed"}).json
        assert k1["status"] == "open" and k1["trafficking_status"] == "possible"
        ids = lambda q: [x["id"] for x in c.get("/api/v1/cases?" + q).json["items"]]
        assert ids("status=active") == [k2["id"]]
        assert ids("trafficking_status=presumed") == [k2["id"]]
        assert ids("person_id=%d" % pid) == [k1["id"], k2["id"]]
        r = c.get("/api/v1/cases?status=lost")
        assert r.status == 400 and r.error_code() == "unknown_value", r
        r = c.post("/api/v1/contacts", contact(case_id=424242))
        assert r.status == 400 and r.error_field() == "case_id", r
    finally:
        n.cleanup()


def test_soft_delete_by_admin_only():
    n = Node()
    try:
        c = n.admin()
        worker = n.user_client("wor", "caseworker")
        pid = c.post("/api/v1/persons", person()).json["id"]
        assert worker.delete("/api/v1/persons/%d" % pid).status == 403
        assert c.delete("/api/v1/persons/%d" % pid).status == 204
        assert c.get("/api/v1/persons/%d" % pid).status == 404
        assert c.delete("/api/v1/persons/%d" % pid).status == 404
        assert c.get("/api/v1/persons").json["items"] == []
        assert "person.delete" in audit_actions(n, "person")
    finally:
        n.cleanup()


def test_reporter_identity_only_for_reporter_capability():
    n = Node()
    try:
        c = n.admin()
        r = c.post("/api/v1/contacts", contact(reporter={"name": "Nok", "phone": "+66 81 234 5678",
                                                         "relationship": "sister"}))
        assert r.status == 201, r
        cid = r.json["id"]
        hotline = n.user_client("hot", "hotline")
        worker = n.user_client("wor", "caseworker")
        h = hotline.get("/api/v1/contacts/%d" % cid).json["reporter"]
        w = worker.get("/api/v1/contacts/%d" % cid).json["reporter"]
        assert h["name"] == "Nok" and h["phone"] == "+66 81 234 5678", h
        assert set(w) == {"id"}, w
        found = hotline.get("/api/v1/contacts?reporter_phone=0066812345678")
        assert found.status == 200 and found.json["items"] == [], found  # digits differ
        found = hotline.get("/api/v1/contacts?reporter_phone=66812345678")
        assert [x["id"] for x in found.json["items"]] == [cid]
        assert worker.get("/api/v1/contacts?reporter_phone=66812345678").status == 403
        assert "reporter.read" in audit_actions(n, "reporter")
    finally:
        n.cleanup()


def test_identity_reads_are_audited():
    n = Node()
    try:
        c = n.admin()
        pid = c.post("/api/v1/persons", person()).json["id"]
        c.get("/api/v1/persons/%d" % pid)
        c.get("/api/v1/persons")
        acts = audit_actions(n, "person")
        assert "person.create" in acts and "person.read" in acts and "person.list" in acts, acts
        cid = c.post("/api/v1/contacts", contact()).json["id"]
        c.get("/api/v1/contacts/%d" % cid)
        assert "contact.read" in audit_actions(n, "contact")
    finally:
        n.cleanup()


run(globals())
