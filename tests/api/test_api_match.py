"""POST /api/v1/persons/match: search before create, against the node's
incremental person index, with evidence, audit and capabilities."""
import time

from knit_test import Node, person, run


def wait_ready(c):
    for _ in range(100):
        r = c.post("/api/v1/persons/match", {"latin_name": "probe"})
        if r.status != 503:
            return r
        time.sleep(0.05)
    raise AssertionError("person index never became ready")


def test_match_ranks_variants_explains_and_audits():
    n = Node()
    try:
        c = n.admin()
        wait_ready(c)
        a = c.post("/api/v1/persons", person(native_name="สมหญิง แก้วมณี",
                                             latin_name="Somying Kaeomani", sex="female",
                                             date_of_birth={"date": "1987-10-19"})).json["id"]
        b = c.post("/api/v1/persons", person(native_name=None, latin_name="Sompong Kaeomani",
                                             sex="male")).json["id"]
        c.post("/api/v1/persons", person(native_name=None, latin_name="Wang Xiuying",
                                         nationality="CN"))
        r = c.post("/api/v1/persons/match", {"latin_name": "Kaeomani Somyng", "sex": "female",
                                             "date_of_birth": {"age": 38, "as_of": "2025-11-01"}})
        assert r.status == 200, r
        cands = r.json["candidates"]
        assert cands[0]["person_id"] == a, cands
        assert cands[0]["person"]["latin_name"] == "Somying Kaeomani"
        assert {f["field"] for f in cands[0]["fields"]} >= {"name", "date_of_birth", "sex"}
        assert all(0 <= x["match_probability"] <= 1 for x in cands)
        probs = [x["match_probability"] for x in cands]
        assert probs == sorted(probs, reverse=True)
        if len(cands) > 1:
            assert cands[1]["person_id"] == b
        # Native script alone finds the same person.
        r = c.post("/api/v1/persons/match", {"native_name": "สมหญิง แก้วมณี"})
        assert r.json["candidates"][0]["person_id"] == a, r
        audit = c.get("/api/v1/audit?object_type=person&limit=1000").json["items"]
        assert any(x["action"] == "person.match" and a in x["detail"]["ids"] for x in audit)
    finally:
        n.cleanup()


def test_index_follows_updates_and_deletes():
    n = Node()
    try:
        c = n.admin()
        wait_ready(c)
        pid = c.post("/api/v1/persons", person(native_name=None, latin_name="Bouasy Phommachanh",
                                               nationality="LA")).json["id"]
        q = {"latin_name": "Bouasy Phommachanh"}
        assert c.post("/api/v1/persons/match", q).json["candidates"][0]["person_id"] == pid
        c.patch("/api/v1/persons/%d" % pid, {"version": 1, "latin_name": "Keo Sengdara"})
        ids = [x["person_id"] for x in c.post("/api/v1/persons/match", q).json["candidates"]]
        assert pid not in ids
        q2 = {"latin_name": "Keo Sengdara"}
        assert c.post("/api/v1/persons/match", q2).json["candidates"][0]["person_id"] == pid
        c.delete("/api/v1/persons/%d" % pid)
        assert c.post("/api/v1/persons/match", q2).json["candidates"] == []
    finally:
        n.cleanup()


def test_index_is_built_from_existing_persons_at_start():
    n = Node()
    try:
        c = n.admin()
        pid = c.post("/api/v1/persons", person(native_name=None, latin_name="Sokha Chan",
                                               nationality="KH")).json["id"]
        n.stop()
        n.start()
        c = n.admin()
        r = wait_ready(c)
        r = c.post("/api/v1/persons/match", {"latin_name": "Chan Sokha"})
        assert r.json["candidates"][0]["person_id"] == pid, r
    finally:
        n.cleanup()


def test_match_checks_capability_and_input():
    n = Node()
    try:
        c = n.admin()
        wait_ready(c)
        analyst = n.user_client("ana", "analyst")
        assert analyst.post("/api/v1/persons/match", {"latin_name": "x"}).status == 403
        for body, field in (({"latin_name": "x", "limit": 0}, "limit"),
                            ({"latin_name": "x", "min_probability": 2}, "min_probability"),
                            ({"sex": "female"}, "native_name"),
                            ({"latin_name": "x", "colour": "red"}, "colour")):
            r = c.post("/api/v1/persons/match", body)
            assert r.status == 400 and r.error_field() == field, (body, r)
    finally:
        n.cleanup()


run(globals())
