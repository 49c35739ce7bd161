"""Authentication, sessions, CSRF, tokens, lockout and capabilities against
a real `knit serve`."""
import time

from knit_test import Node, knit, person, contact, run


def test_login_sets_strict_httponly_cookie_and_bad_login_is_401():
    n = Node()
    try:
        c = n.client()
        r = c.login("admin", n.admin_password)
        assert r.status == 200, r
        ck = r.headers["set-cookie"]
        assert "HttpOnly" in ck and "SameSite=Strict" in ck and "Secure" not in ck, ck
        assert c.get("/api/v1/session").json["user"]["role"] == "admin"
        bad1 = n.client().login("admin", "wrong password here")
        bad2 = n.client().login("nobody", "wrong password here")
        assert bad1.status == 401 and bad2.status == 401, (bad1, bad2)
        assert bad1.json == bad2.json  # same answer for unknown user and wrong password
    finally:
        n.cleanup()


def test_logout_ends_the_session():
    n = Node()
    try:
        c = n.admin()
        assert c.delete("/api/v1/session").status == 204
        assert c.get("/api/v1/session").status == 401
    finally:
        n.cleanup()


def test_cookie_writes_need_the_csrf_token_and_write_nothing_without_it():
    n = Node()
    try:
        c = n.admin()
        good = c.csrf
        before = n.sql("select count(*) from person")[0][0]
        c.csrf = None
        r = c.post("/api/v1/persons", person())
        assert r.status == 403 and r.error_code() == "csrf_failed", r
        c.csrf = "wrong" + good
        r = c.post("/api/v1/persons", person())
        assert r.status == 403 and r.error_code() == "csrf_failed", r
        assert n.sql("select count(*) from person")[0][0] == before
        c.csrf = good
        assert c.post("/api/v1/persons", person()).status == 201
    finally:
        n.cleanup()


def test_bearer_tokens_work_without_csrf_and_stop_when_revoked():
    n = Node()
    try:
        admin = n.admin()
        r = admin.post("/api/v1/tokens", {"name": "intake script"})
        assert r.status == 201 and r.json["token"].startswith("knit_"), r
        t = n.client(token=r.json["token"])
        assert t.post("/api/v1/persons", person()).status == 201
        assert any(x["name"] == "intake script" for x in admin.get("/api/v1/tokens").json["items"])
        assert admin.delete("/api/v1/tokens/%d" % r.json["id"]).status == 204
        assert t.get("/api/v1/persons").status == 401
        cli = n.client(token=n.token("admin", "cli token"))
        assert cli.get("/api/v1/cases").status == 200
        assert n.client(token="knit_forged").get("/api/v1/cases").status == 401
        assert n.client(token="garbage").get("/api/v1/cases").status == 401
    finally:
        n.cleanup()


def test_account_locks_after_repeated_failures_and_is_audited():
    n = Node(serve_args=["--lockout-after", "3"])
    try:
        c = n.client()
        for _ in range(3):
            assert c.login("admin", "not the password").status == 401
        r = c.login("admin", n.admin_password)
        assert r.status == 429 and r.error_code() == "account_locked", r
        n.stop()
        actions = [a for (a,) in n.sql("select action from audit")]
        assert actions.count("login.fail") >= 3 and "login.lockout" in actions, actions
    finally:
        n.cleanup()


def test_address_is_rate_limited_after_many_failures():
    n = Node(serve_args=["--ip-max-fail", "4", "--lockout-after", "100"])
    try:
        c = n.client()
        for i in range(4):
            assert c.login("user%d" % i, "not the password").status == 401
        r = c.login("admin", n.admin_password)
        assert r.status == 429 and r.error_code() == "rate_limited", r
    finally:
        n.cleanup()


def test_idle_session_expires():
    n = Node(serve_args=["--session-idle", "1"])
    try:
        c = n.admin()
        assert c.get("/api/v1/session").status == 200
        time.sleep(2.2)
        assert c.get("/api/v1/session").status == 401
    finally:
        n.cleanup()


def test_disabled_user_and_changed_password_lose_access():
    n = Node()
    try:
        pw = n.add_user("somchai", "caseworker")
        c = n.client()
        assert c.login("somchai", pw).status == 200
        tok = n.client(token=n.token("somchai", "t"))
        assert tok.get("/api/v1/cases").status == 200
        knit("user", "passwd", "somchai", "--password-stdin", "--db", n.db,
             stdin="another long password\n")
        assert c.get("/api/v1/cases").status == 401  # sessions end with the password
        knit("user", "disable", "somchai", "--db", n.db)
        assert n.client().login("somchai", "another long password").status == 401
        assert tok.get("/api/v1/cases").status == 401
    finally:
        n.cleanup()


def test_roles_get_exactly_their_capabilities():
    n = Node()
    try:
        admin = n.admin()
        pid = admin.post("/api/v1/persons", person()).json["id"]
        cid = admin.post("/api/v1/cases", {"person_id": pid, "agency": "A"}).json["id"]
        analyst = n.user_client("ana", "analyst")
        hotline = n.user_client("hot", "hotline")
        auditor = n.user_client("aud", "auditor")
        worker = n.user_client("wor", "caseworker")
        assert analyst.get("/api/v1/cases/%d" % cid).status == 403
        r = hotline.post("/api/v1/contacts", contact())
        assert r.status == 201, r
        assert hotline.delete("/api/v1/contacts/%d" % r.json["id"]).status == 403
        assert hotline.post("/api/v1/cases", {"person_id": pid, "agency": "A"}).status == 403
        assert worker.post("/api/v1/cases", {"person_id": pid, "agency": "A"}).status == 201
        assert auditor.get("/api/v1/audit").status == 200
        assert worker.get("/api/v1/audit").status == 403
        assert worker.get("/api/v1/users").status == 403
        r = admin.post("/api/v1/users", {"username": "new", "role": "hotline",
                                         "password": "a fine long password"})
        assert r.status == 201, r
        assert admin.patch("/api/v1/users/new", {"role": "analyst"}).status == 204
        roles = {u["username"]: u["role"] for u in admin.get("/api/v1/users").json["items"]}
        assert roles["new"] == "analyst"
    finally:
        n.cleanup()


def test_status_codes_do_not_reveal_whether_a_record_exists():
    n = Node()
    try:
        admin = n.admin()
        pid = admin.post("/api/v1/persons", person()).json["id"]
        cid = admin.post("/api/v1/cases", {"person_id": pid, "agency": "A"}).json["id"]
        anon = n.client()
        a, b = anon.get("/api/v1/cases/%d" % cid), anon.get("/api/v1/cases/999999")
        assert a.status == b.status == 401 and a.body == b.body
        analyst = n.user_client("ana", "analyst")
        a, b = analyst.get("/api/v1/cases/%d" % cid), analyst.get("/api/v1/cases/999999")
        assert a.status == b.status == 403 and a.body == b.body
    finally:
        n.cleanup()


run(globals())
