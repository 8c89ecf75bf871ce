-- Trusted lines between partners (issue 17), per organisation.
-- The partner directory (`lifeline-partners/1` JSON): a new version per import; the highest
-- is current.
CREATE TABLE partner_directories (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    version BIGINT NOT NULL,
    directory TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, version)
);
-- The organisation's signing key: its private JWK sealed with the store's keyring (bound to
-- the organisation), never stored or returned in clear. One per organisation: replacing it
-- is a key rotation, which the directory records.
CREATE TABLE signing_keys (
    org_id TEXT PRIMARY KEY REFERENCES orgs (id),
    kid TEXT NOT NULL,
    jwk_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
-- Channel drills ("test the lines"): each drill's log is a list of timeline events (alert
-- sent, delivery failed, acknowledged) as JSON, appended to like an incident's timeline.
CREATE TABLE drills (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    entries BIGINT NOT NULL
);
CREATE INDEX drills_org ON drills (org_id, started_at);
CREATE TABLE drill_entries (
    drill_id TEXT NOT NULL REFERENCES drills (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (drill_id, seq)
);
-- Every alert sent (its payload JSON and the compact JWS that went out), for an incident or
-- a drill; `reply_by` is when it escalates if nobody acknowledged it.
CREATE TABLE partner_alerts (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    alert_id TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    drill_id TEXT REFERENCES drills (id),
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    jws TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    reply_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (org_id, alert_id)
);
CREATE INDEX partner_alerts_incident ON partner_alerts (org_id, incident_id);
CREATE INDEX partner_alerts_drill ON partner_alerts (org_id, drill_id);
-- One-time acknowledgement links: only the token's SHA-256 is kept; `used_at` is set once.
CREATE TABLE ack_tokens (
    token_hash TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    alert_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    contact TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX ack_tokens_alert ON ack_tokens (org_id, alert_id);
-- Nonces of signed messages received (signed acknowledgements), kept until the message
-- would have expired: a second use of one is a replay.
CREATE TABLE seen_nonces (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    issuer TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, issuer, nonce)
);
