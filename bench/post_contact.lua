-- wrk script: durable POST /api/v1/contacts with a bearer token.
local token = os.getenv("KNIT_TOKEN")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"channel":"phone","occurred_at":"2026-01-15T10:00:00Z","language":"th",' ..
  '"category":"case","summary":"Caller reports a relative held at a fishing port."}'
