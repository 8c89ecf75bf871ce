-- The vendor cyber-risk register (issue 15), per organisation.
-- Every register upload is kept, as uploaded, with its canonical JSON (the register as
-- lifeline-risk read it, which questionnaire answers are merged into to make the next
-- version, `source` = `questionnaire:<link id>`); the highest version is the current one.
CREATE TABLE vendor_registers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    version BIGINT NOT NULL,
    format TEXT NOT NULL,
    body TEXT NOT NULL,
    canonical TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    vendors BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, version)
);
-- One-time questionnaire links sent to a vendor: the token is kept as its SHA-256 only.
-- A link answers once (`submitted_at`), until `expires_at`, unless revoked.
CREATE TABLE vendor_questionnaires (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    vendor_id TEXT NOT NULL,
    framework TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    submitted_at BIGINT,
    answers TEXT,
    register_version BIGINT
);
CREATE INDEX vendor_questionnaires_org ON vendor_questionnaires (org_id, vendor_id);
-- Evidence files (SOC 2 reports, certificates, pen-test letters) per vendor id, sealed at
-- rest with the key file: `body` is the sealed base64 of the file's bytes.
CREATE TABLE vendor_evidence (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    vendor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    expires TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX vendor_evidence_org ON vendor_evidence (org_id, vendor_id);
