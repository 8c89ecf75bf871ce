-- SBOMs and the advisories they are scanned against, per organisation. Documents are kept
-- as uploaded (UTF-8 text): the analysis reads them again with lifeline-vuln.
CREATE TABLE sboms (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    components BIGINT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    warnings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, name)
);
-- One row per advisory file loaded (an OSV zip or JSON, a KEV catalogue, a VEX document).
CREATE TABLE advisory_loads (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    records BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT NOT NULL
);
CREATE INDEX advisory_loads_org ON advisory_loads (org_id, loaded_at);
-- One row per OSV record: a later load of the same id replaces it. `seq` keeps the load
-- order, so the index built again is the one the files would build.
CREATE TABLE osv_records (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    osv_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    load_id TEXT NOT NULL REFERENCES advisory_loads (id),
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, osv_id)
);
CREATE INDEX osv_records_seq ON osv_records (org_id, seq);
-- The organisation's CISA KEV catalogue: the latest load replaces the previous one.
CREATE TABLE kev_catalogues (
    org_id TEXT PRIMARY KEY REFERENCES orgs (id),
    load_id TEXT NOT NULL REFERENCES advisory_loads (id),
    version TEXT NOT NULL,
    body TEXT NOT NULL
);
-- CycloneDX VEX documents: every one loaded applies.
CREATE TABLE vex_documents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    load_id TEXT NOT NULL REFERENCES advisory_loads (id),
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX vex_documents_org ON vex_documents (org_id, seq);
