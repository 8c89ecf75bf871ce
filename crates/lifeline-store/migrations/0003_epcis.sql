-- EPCIS 2.0 events captured through the API, per organisation. An event is stored once
-- per organisation, keyed by its CBV 2.0 Event Hash ID; `seq` numbers the events of an
-- organisation in the order they were stored (the traceability rules need it).
CREATE TABLE epcis_captures (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    format TEXT NOT NULL,
    events BIGINT NOT NULL,
    added BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    retracted BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX epcis_captures_org ON epcis_captures (org_id, created_at);
CREATE TABLE epcis_events (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    hash TEXT NOT NULL,
    seq BIGINT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES epcis_captures (id),
    event_type TEXT NOT NULL,
    event_time BIGINT NOT NULL,
    record_time BIGINT NOT NULL,
    biz_step TEXT NOT NULL,
    disposition TEXT NOT NULL,
    read_point TEXT,
    biz_location TEXT,
    retracted BIGINT NOT NULL,
    facts TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (org_id, hash)
);
CREATE UNIQUE INDEX epcis_events_seq ON epcis_events (org_id, seq);
CREATE INDEX epcis_events_time ON epcis_events (org_id, event_time, seq);
-- Every instance-level identifier an event names, in any role: a product's history.
CREATE TABLE epcis_event_epcs (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    epc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (org_id, epc, seq)
);
