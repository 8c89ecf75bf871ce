-- TAXII 2.1 collections (issue 17), per organisation: the organisation's API root holds
-- them. `alias` is optional; ids are UUIDs as TAXII clients expect.
CREATE TABLE taxii_collections (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    -- The last date_added handed out, in Unix microseconds: every stored object version
    -- gets a later one, so date_added is unique within a collection and orders it.
    last_added BIGINT NOT NULL
);
CREATE INDEX taxii_collections_org ON taxii_collections (org_id, created_at);
-- What a partner organisation may do with a collection, and the highest TLP level it is
-- cleared to read there (clear, green, amber, amber+strict, red: 0 to 4). A grant of red
-- names the organisation, which is what lets TLP:RED reach it.
CREATE TABLE taxii_grants (
    collection_id TEXT NOT NULL REFERENCES taxii_collections (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    can_read BIGINT NOT NULL,
    can_write BIGINT NOT NULL,
    clearance BIGINT NOT NULL,
    PRIMARY KEY (collection_id, org_id)
);
CREATE INDEX taxii_grants_org ON taxii_grants (org_id);
-- One version of one STIX object in a collection: the object's JSON as posted, with what
-- the filters need. `version` is the object's `modified` (else `created`, else 0 for an
-- object without versions) in Unix microseconds; `date_added` is when this server stored
-- it, in Unix microseconds; `tlp` the most restrictive TLP marking on it (0 to 4; an
-- unmarked object counts as amber).
CREATE TABLE taxii_objects (
    collection_id TEXT NOT NULL REFERENCES taxii_collections (id),
    object_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    spec_version TEXT NOT NULL,
    type TEXT NOT NULL,
    date_added BIGINT NOT NULL,
    tlp BIGINT NOT NULL,
    object TEXT NOT NULL,
    PRIMARY KEY (collection_id, object_id, version)
);
CREATE UNIQUE INDEX taxii_objects_added ON taxii_objects (collection_id, date_added);
-- The status of each POST of objects: counts, and the successes and failures as JSON.
CREATE TABLE taxii_status (
    id TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES taxii_collections (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    request_timestamp BIGINT NOT NULL,
    total_count BIGINT NOT NULL,
    success_count BIGINT NOT NULL,
    failure_count BIGINT NOT NULL,
    successes TEXT NOT NULL,
    failures TEXT NOT NULL
);
-- Where `lifeline taxii pull` left off, per local collection and source (the remote
-- collection's objects URL): the last X-TAXII-Date-Added-Last seen, sent back as
-- `added_after` on the next pull.
CREATE TABLE taxii_pulls (
    collection_id TEXT NOT NULL REFERENCES taxii_collections (id),
    source TEXT NOT NULL,
    added_after TEXT NOT NULL,
    pulled_at BIGINT NOT NULL,
    PRIMARY KEY (collection_id, source)
);
