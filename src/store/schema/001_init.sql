-- 001_init: node identity, accounts, sessions, API tokens, the audit chain,
-- and the first domain records (person, case, contact, reporter).
-- Identity fields are BLOBs sealed by src/core/crypto.c; *_bidx columns hold
-- keyed blind indexes for exact lookups.  Times are Unix seconds unless noted.

CREATE TABLE node (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    sign_pk BLOB NOT NULL,          -- Ed25519 public key
    box_pk BLOB NOT NULL,           -- X25519 public key
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    pw_hash TEXT NOT NULL,          -- crypto_pwhash_str (Argon2id)
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    pw_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE, -- BLAKE2b of the cookie value
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE, -- BLAKE2b of the secret part
    created_at INTEGER NOT NULL,
    last_used INTEGER,
    revoked_at INTEGER
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- sqlite_sequence keeps the highest id ever used
    at INTEGER NOT NULL,             -- milliseconds
    actor_id INTEGER,                -- users.id; NULL for the command line or the system
    actor TEXT NOT NULL,             -- user name at the time, "cli" or "system"
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id INTEGER,
    detail TEXT NOT NULL,            -- JSON object
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL               -- keyed BLAKE2b over prev_hash and this row
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    native_name BLOB,                -- sealed
    latin_name BLOB,                 -- sealed
    other_names BLOB,                -- sealed JSON array
    native_name_bidx BLOB,
    latin_name_bidx BLOB,
    sex TEXT NOT NULL DEFAULT 'unknown',
    dob BLOB,                        -- sealed JSON object
    nationality TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    deleted_at INTEGER
);
CREATE INDEX person_native_bidx ON person(native_name_bidx);
CREATE INDEX person_latin_bidx ON person(latin_name_bidx);

CREATE TABLE person_identifier (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person(id),
    type TEXT NOT NULL,
    country TEXT,
    value BLOB NOT NULL,             -- sealed
    value_bidx BLOB NOT NULL
);
CREATE INDEX person_identifier_person ON person_identifier(person_id);
CREATE INDEX person_identifier_bidx ON person_identifier(value_bidx);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    person_id INTEGER NOT NULL REFERENCES person(id),
    agency TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    status TEXT NOT NULL,
    trafficking_status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    deleted_at INTEGER
);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_owner ON cases(owner_id, id);
CREATE INDEX cases_status ON cases(status, id);

CREATE TABLE reporter (
    id INTEGER PRIMARY KEY,
    name BLOB,                       -- sealed
    phone BLOB,                      -- sealed
    phone_bidx BLOB,
    relationship TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX reporter_phone_bidx ON reporter(phone_bidx);

CREATE TABLE contact (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    channel TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    language TEXT,
    interpreter_language TEXT,
    category TEXT NOT NULL,
    summary BLOB,                    -- sealed
    case_id INTEGER REFERENCES cases(id),
    reporter_id INTEGER REFERENCES reporter(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    deleted_at INTEGER
);
CREATE INDEX contact_case ON contact(case_id, id);
CREATE INDEX contact_channel ON contact(channel, id);
