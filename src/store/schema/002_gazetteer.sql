-- 002_gazetteer: administrative places (public names, not identity data)
-- for matching "where from": a village or sub-district within a district
-- within a province within a country.  Ids are "CC/level/code".
CREATE TABLE place (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    level TEXT NOT NULL,            -- province, district, sub_district, village
    parent TEXT REFERENCES place(id),
    name_native TEXT,
    name_latin TEXT,
    postcode TEXT,
    key_native TEXT,                -- folded native name (normalize.h)
    key_latin TEXT                  -- folded Latin name
);
CREATE INDEX place_key_native ON place(key_native);
CREATE INDEX place_key_latin ON place(key_latin);
CREATE INDEX place_parent ON place(parent);
