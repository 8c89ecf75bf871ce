-- Incident response (issue 16), per organisation.
-- Imported playbooks, kept as CACAO v2.0 JSON (the interchange form; lifeline's fields ride
-- in its extension). Importing a playbook id again adds a version; the highest is current.
CREATE TABLE playbooks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    playbook_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    cacao TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, playbook_id, version)
);
-- Declared incidents, with the network document their impact was computed from. `head`
-- and `entries` are the last timeline entry's hash and the number of entries: the append
-- checks the next entry against them in its transaction.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    network TEXT NOT NULL,
    network_sha256 TEXT NOT NULL,
    network_id TEXT REFERENCES networks (id),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    closed_at BIGINT,
    head TEXT NOT NULL,
    entries BIGINT NOT NULL
);
CREATE INDEX incidents_org ON incidents (org_id, created_at);
-- The hash-chained timeline of an incident: appended to, never updated or deleted.
-- `event` is the entry's event as JSON; `hash` chains `prev` and the entry's content.
CREATE TABLE incident_entries (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
-- Tabletop exercise runs: the exercise document, the run record and its scorecard (JSON).
CREATE TABLE exercise_runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    exercise TEXT NOT NULL,
    run TEXT NOT NULL,
    scorecard TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX exercise_runs_org ON exercise_runs (org_id, created_at);
