CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE network_versions (
    id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    version BIGINT NOT NULL,
    format TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (network_id, version)
);
CREATE TABLE shares (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    partner_org_id TEXT NOT NULL REFERENCES orgs (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, resource_id, partner_org_id)
);
CREATE INDEX shares_partner ON shares (partner_org_id);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id),
    network_version BIGINT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    done BIGINT NOT NULL,
    total BIGINT NOT NULL,
    result TEXT,
    error TEXT,
    warnings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX jobs_org ON jobs (org_id, created_at);
