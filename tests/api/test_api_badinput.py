"""Every class of bad input gets a 4xx JSON error naming the field, and
nothing is written; bad command lines get one line and exit 2."""
from knit_test import Node, knit, person, contact, run


def counts(n):
    return [n.sql("select count(*) from %s" % t)[0][0]
            for t in ("person", "cases", "contact", "reporter", "audit", "person_identifier")]


def bad(n, c, method, path, body, status, code, field=None, raw=False, headers=None):
    before = counts(n)
    r = c.request(method, path, body, raw=raw, headers=headers)
    assert r.status == status, (path, body, r)
    assert r.json and set(r.json) == {"error"}, r
    assert r.error_code() == code, (code, r)
    assert isinstance(r.json["error"]["message"], str) and r.json["error"]["message"]
    if field is not None:
        assert r.error_field() == field, (field, r)
    assert counts(n) == before, ("something was written", path, body)


def test_malformed_bodies_are_rejected_and_write_nothing():
    n = Node()
    try:
        c = n.admin()
        J = {"Content-Type": "application/json"}
        for path in ("/api/v1/persons", "/api/v1/cases", "/api/v1/contacts"):
            bad(n, c, "POST", path, b'{"native_name": ', 400, "malformed_json", raw=True, headers=J)
            bad(n, c, "POST", path, b'{"native_name":"\xff\xfe"}', 400, "invalid_utf8", raw=True,
                headers=J)
            bad(n, c, "POST", path, b'[1,2,3]', 400, "not_an_object", raw=True, headers=J)
            bad(n, c, "POST", path, b'', 400, "malformed_json", raw=True, headers=J)
            bad(n, c, "POST", path, b'{"a":' * 50 + b'1' + b'}' * 50, 400, "too_deep", raw=True,
                headers=J)
            bad(n, c, "POST", path, b'{}', 415, "unsupported_media_type", raw=True,
                headers={"Content-Type": "text/plain"})
        bad(n, c, "POST", "/api/v1/session", b'{"username":', 400, "malformed_json", raw=True,
            headers=J)
    finally:
        n.cleanup()


def test_field_errors_name_the_field():
    n = Node()
    try:
        c = n.admin()
        P = "/api/v1/persons"
        bad(n, c, "POST", P, person(native_name=5), 400, "invalid_type", "native_name")
        bad(n, c, "POST", P, person(shoe_size=42), 400, "unknown_field", "shoe_size")
        bad(n, c, "POST", P, {"sex": "female"}, 400, "missing_field", "native_name")
        bad(n, c, "POST", P, person(native_name="ก" * 300), 400, "too_long", "native_name")
        bad(n, c, "POST", P, person(sex="x"), 400, "unknown_value", "sex")
        bad(n, c, "POST", P, person(nationality="XX1"), 400, "invalid_value", "nationality")
        bad(n, c, "POST", P, person(nationality="th"), 400, "invalid_value", "nationality")
        bad(n, c, "POST", P, person(languages=["TH"]), 400, "invalid_value", "languages")
        bad(n, c, "POST", P, person(date_of_birth={"date": "2025-02-30"}), 400, "invalid_date",
            "date_of_birth.date")
        bad(n, c, "POST", P, person(date_of_birth={"date": "2999-01-01"}), 400, "date_in_future",
            "date_of_birth.date")
        bad(n, c, "POST", P, person(date_of_birth={"year": 1990, "age": 3}), 400, "invalid_value")
        bad(n, c, "POST", P, person(identifiers=[{"type": "dna", "value": "x"}]), 400,
            "unknown_value", "identifiers[0].type")
        C = "/api/v1/contacts"
        bad(n, c, "POST", C, contact(channel="pigeon"), 400, "unknown_value", "channel")
        bad(n, c, "POST", C, contact(occurred_at="yesterday"), 400, "invalid_date", "occurred_at")
        bad(n, c, "POST", C, contact(occurred_at="2999-01-01T00:00:00Z"), 400, "date_in_future",
            "occurred_at")
        bad(n, c, "POST", C, contact(reporter={"name": 7}), 400, "invalid_type", "reporter.name")
        bad(n, c, "POST", "/api/v1/cases", {"person_id": "one", "agency": "A"}, 400,
            "invalid_type", "person_id")
        pid = c.post(P, person()).json["id"]
        bad(n, c, "PATCH", "%s/%d" % (P, pid), {"latin_name": "X"}, 400, "missing_field",
            "version")
        bad(n, c, "PATCH", "%s/%d" % (P, pid), {"version": 1, "sex": "x"}, 400, "unknown_value",
            "sex")
        bad(n, c, "POST", "/api/v1/session", {"username": "admin"}, 400, "missing_field",
            "password")
    finally:
        n.cleanup()


def test_oversize_body_is_413_and_paths_404_405():
    n = Node(serve_args=["--max-body", "4096"])
    try:
        c = n.admin()
        bad(n, c, "POST", "/api/v1/persons", person(native_name="x" * 8000), 413,
            "body_too_large")
        c = n.admin()  # the server closes a connection after refusing a body
        for p in ("/api/v1/cases/abc", "/api/v1/cases/0", "/api/v1/cases/-1", "/nothing/here",
                  "/api/v1/cases/1/extra"):
            r = c.get(p)
            assert r.status == 404 and r.error_code() == "not_found", (p, r)
        r = c.request("PUT", "/api/v1/cases")
        assert r.status == 405 and r.error_code() == "method_not_allowed", r
    finally:
        n.cleanup()


def test_command_line_errors_exit_2_with_one_line():
    n = Node(start=False)
    try:
        cases = [
            ["bogus"],
            ["serve", "--bogus"],
            ["init", "--db", "../x.db", "--node-name", "X", "--country", "TH"],
            ["init", "--db", n.dir + "/y.db", "--node-name", "X", "--country", "XX"],
            ["serve", "--db", n.db, "--listen", "nonsense"],
            ["serve", "--db", n.db, "--threads", "abc"],
            ["serve", "--db", n.db, "--cert", n.dir + "/c.pem"],
            ["user", "add", "bob", "--role", "wizard", "--db", n.db],
            ["user", "add", "Bob!", "--role", "admin", "--db", n.db],
            ["token", "revoke", "x", "--db", n.db],
            ["audit", "check", "--db", n.db],
            ["migrate", "--db", n.dir + "/missing.db"],
        ]
        for args in cases:
            p = knit(*args, check=False)
            assert p.returncode == 2, (args, p.returncode, p.stderr)
            lines = p.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("knit: "), (args, p.stderr)
        for args in (["help"], ["version"], ["serve", "--help"], ["help", "user"]):
            p = knit(*args, check=False)
            assert p.returncode == 0 and p.stdout, (args, p)
    finally:
        n.cleanup()


run(globals())
