//! EPCIS 2.0 on the server: capture (the REST binding's `/capture`, whole documents,
//! idempotent by CBV 2.0 Event Hash ID), event queries, a product's history, the
//! chain-of-custody findings and product verification, each organisation over its own
//! events. Reading, hashing, the facts, the rules and verification are lifeline-trace's,
//! the same code as `lifeline trace`, so the answers are the CLI's for the same events.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_store::{
    EpcisBatch, EpcisCapture, EpcisFilter, NewEpcisEvent, Role, StoredEpcisEvent, rfc3339,
};
use lifeline_trace::facts::EventFacts;
use lifeline_trace::read::{Format, ReadLimits, visit_events_with};
use lifeline_trace::repository::{PreparedEvent, Preparer, Query, StoredEvent, check_records};
use lifeline_trace::verify::{VerifyRequest, verify_with};
use lifeline_trace::{EventType, TraceError};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::Sender;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody};
use crate::extract::{JsonBody, NoQuery, PathParams, QueryParams};

/// Routes that take a whole document as their body (the upload size limit applies).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(capture))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(capture_job))
        .routes(routes!(events))
        .routes(routes!(history))
        .routes(routes!(findings))
        .routes(routes!(verify))
}

/// The standard EPCIS 2.0 JSON-LD context.
const EPCIS_CONTEXT: &str = lifeline_trace::write::EPCIS_CONTEXT;

/// Events per page of a query, when `perPage` is not given, and at most.
const DEFAULT_PER_PAGE: i64 = 100;
const MAX_PER_PAGE: i64 = 10_000;

impl From<TraceError> for ApiError {
    fn from(error: TraceError) -> ApiError {
        match error {
            TraceError::Rejected { problems, omitted } => {
                let mut diagnostics: Vec<DiagnosticBody> = problems
                    .iter()
                    .map(|p| DiagnosticBody {
                        severity: "error".into(),
                        path: path_of(&p.location),
                        message: format!("{}: {}", p.location, p.message),
                        hint: None,
                    })
                    .collect();
                if omitted > 0 {
                    diagnostics.push(DiagnosticBody {
                        severity: "error".into(),
                        path: "eventList".into(),
                        message: format!("… and {omitted} more problem(s) not shown"),
                        hint: None,
                    });
                }
                ApiError::invalid_document(
                    format!(
                        "{} problem(s) in the document: nothing was stored",
                        problems.len() + omitted
                    ),
                    diagnostics,
                )
            }
            TraceError::Invalid { ref location, .. }
            | TraceError::Identifier { ref location, .. } => {
                let field = path_of(location);
                ApiError::invalid(&field, error.to_string())
            }
            TraceError::Limit { .. } => ApiError::invalid("document", error.to_string()),
            TraceError::Json { .. }
            | TraceError::Xml { .. }
            | TraceError::UnknownFormat
            | TraceError::Io(_) => ApiError::bad_request(error.to_string()),
            other => ApiError::internal("trace", &other),
        }
    }
}

/// Where a problem is, as a path: `eventList[3].readPoint.id`, or the field alone.
fn path_of(location: &lifeline_trace::Location) -> String {
    match (location.index, &location.field) {
        (Some(index), Some(field)) => format!("eventList[{index}].{field}"),
        (Some(index), None) => format!("eventList[{index}]"),
        (None, Some(field)) => field.clone(),
        (None, None) => "document".into(),
    }
}

/// A capture job, as the EPCIS 2.0 REST binding describes it, with the counts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaptureJob {
    #[serde(rename = "captureID")]
    pub capture_id: String,
    pub created_at: String,
    pub finished_at: String,
    /// Always false: a capture is done when it is answered.
    pub running: bool,
    /// Always true for a stored job: a document with an invalid event is refused whole
    /// (422) and no job is kept.
    pub success: bool,
    /// Always `rollback`: the whole document is stored, or none of it.
    pub capture_error_behaviour: String,
    /// Always empty for a stored job.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<serde_json::Value>,
    /// `json` or `xml`.
    pub format: String,
    /// Events in the document.
    pub events: i64,
    /// Events stored now.
    pub added: i64,
    /// Events stored already for this organisation (same Event Hash ID): skipped.
    pub duplicates: i64,
    /// Error declarations that retracted a stored event.
    pub retracted: i64,
    pub created_by: String,
}

impl CaptureJob {
    fn of(capture: &EpcisCapture) -> CaptureJob {
        CaptureJob {
            capture_id: capture.id.clone(),
            created_at: rfc3339(capture.created_at),
            finished_at: rfc3339(capture.created_at),
            running: false,
            success: true,
            capture_error_behaviour: "rollback".into(),
            errors: Vec::new(),
            format: capture.format.clone(),
            events: capture.events,
            added: capture.added,
            duplicates: capture.duplicates,
            retracted: capture.retracted,
            created_by: capture.created_by.clone(),
        }
    }
}

/// The syntax a body's `Content-Type` announces.
fn capture_format(headers: &HeaderMap) -> ApiResult<Format> {
    match crate::extract::content_type(headers).as_deref() {
        Some("application/json" | "application/ld+json") => Ok(Format::Json),
        Some("application/xml" | "text/xml") => Ok(Format::Xml),
        _ => Err(ApiError::unsupported_media_type(
            "an EPCIS document is `application/json`, `application/ld+json`, \
             `application/xml` or `text/xml`",
        )),
    }
}

/// Events per batch handed from the reading thread to the capture.
const BATCH: usize = 1000;

/// The row to store of a prepared event.
fn row_of(PreparedEvent { facts, body }: PreparedEvent) -> Result<NewEpcisEvent, TraceError> {
    let encoded = serde_json::to_string(&facts).map_err(|e| TraceError::Serialise {
        what: "the event facts",
        message: e.to_string(),
    })?;
    let mut epcs: Vec<String> = Vec::with_capacity(facts.epcs.len());
    for (epc, _) in &facts.epcs {
        if !epcs.contains(epc) {
            epcs.push(epc.clone());
        }
    }
    Ok(NewEpcisEvent {
        hash: facts.hash,
        event_type: facts.event_type,
        event_time: facts.time,
        biz_step: facts.biz_step,
        disposition: facts.disposition,
        read_point: facts.read_point,
        biz_location: facts.biz_location,
        declaration: facts.error_declaration,
        epcs,
        facts: encoded,
        document: body,
    })
}

/// Reads, checks and hashes a document with lifeline-trace (on a blocking thread), handing
/// the rows to store to the capture in batches as they come, and `Commit` at the end when
/// every event was valid.
fn prepare(format: Format, body: &[u8], sender: &Sender<EpcisBatch>) -> ApiResult<()> {
    let mut reader = body;
    let found = lifeline_trace::read::detect(&mut reader)?;
    if found != format {
        return Err(ApiError::bad_request(format!(
            "the body is {} but its Content-Type says {}",
            name_of(found),
            name_of(format)
        )));
    }
    let limits = ReadLimits::default();
    let mut preparer = Preparer::new(limits.max_problems);
    let mut batch: Vec<NewEpcisEvent> = Vec::with_capacity(BATCH);
    let stopped = || TraceError::Stopped("the capture stopped".into());
    visit_events_with(body, &limits, &mut |header, event| {
        if let Some(prepared) = preparer.event(header, event)? {
            batch.push(row_of(prepared)?);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                sender
                    .blocking_send(EpcisBatch::Events(full))
                    .map_err(|_| stopped())?;
            }
        }
        Ok(())
    })?;
    preparer.finish()?;
    for message in [EpcisBatch::Events(batch), EpcisBatch::Commit] {
        sender.blocking_send(message).map_err(|_| stopped())?;
    }
    Ok(())
}

fn name_of(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Xml => "xml",
    }
}

/// Captures a whole document of syntax `format` into the caller's organisation (the
/// caller's role is checked by the caller of this function): the API's capture and the
/// dashboard's upload form.
pub(crate) async fn capture_document(
    state: &AppState,
    caller: &Caller,
    format: Format,
    body: Bytes,
) -> ApiResult<EpcisCapture> {
    // Reading and writing overlap: a blocking thread reads, checks and hashes the events
    // while the capture writes the batches it was handed into one transaction.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<EpcisBatch>(4);
    let reader = tokio::task::spawn_blocking(move || prepare(format, &body, &sender));
    let stored = state
        .store
        .capture_epcis_batches(
            &caller.user.org_id,
            name_of(format),
            &mut receiver,
            &caller.user.name,
        )
        .await;
    drop(receiver);
    let read = reader
        .await
        .map_err(|e| ApiError::internal("capture", &e))?;
    // A database error explains a reader that was stopped by it; then the document's.
    let stored = stored?;
    read?;
    stored.ok_or_else(|| ApiError::internal("capture", &"the reader ended early"))
}

/// Captures an EPCIS 2.0 document (JSON-LD or XML; EPCIS 1.2 XML is read too). The whole
/// document is stored or none of it: an invalid event refuses it (422, every problem with
/// its event index and field). Events already stored for the organisation (same CBV 2.0
/// Event Hash ID) are skipped and counted; an error declaration retracts the event it
/// corrects. Answers 202 with the capture job, finished.
#[utoipa::path(post, path = "/epcis/capture", tag = "epcis",
    request_body(content(
        (Object = "application/json"),
        (Object = "application/ld+json"),
        (String = "application/xml"),
        (String = "text/xml")),
        description = "An EPCISDocument"),
    responses((status = 202, description = "Captured", body = CaptureJob,
        headers(("location" = String, description = "The capture job's URL"))),
        CommonErrors))]
async fn capture(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    caller.require(Role::Analyst)?;
    // Over the upload limit: 413 as JSON, not axum's text.
    let body = body?;
    let format = capture_format(&headers)?;
    let capture = capture_document(&state, &caller, format, body).await?;
    let url = format!("/api/v1/epcis/capture/{}", capture.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, url)],
        Json(CaptureJob::of(&capture)),
    )
        .into_response())
}

/// A capture job of the caller's organisation.
#[utoipa::path(get, path = "/epcis/capture/{id}", tag = "epcis",
    params(("id" = String, Path, description = "captureID")),
    responses((status = 200, description = "The capture job", body = CaptureJob), CommonErrors))]
async fn capture_job(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<CaptureJob>> {
    caller.require(Role::Viewer)?;
    let capture = state
        .store
        .epcis_capture(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("capture", &id))?;
    Ok(Json(CaptureJob::of(&capture)))
}

/// The EPCIS query parameters supported (REST binding names); every given one must hold.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// `ObjectEvent`, `AggregationEvent`, `TransactionEvent`, `TransformationEvent` or
    /// `AssociationEvent`.
    #[serde(rename = "eventType")]
    #[param(rename = "eventType")]
    pub event_type: Option<String>,
    /// CBV bizStep: a term (`shipping`), its URI, or a custom URI.
    #[serde(rename = "EQ_bizStep")]
    #[param(rename = "EQ_bizStep")]
    pub biz_step: Option<String>,
    /// CBV disposition: a term (`in_transit`), its URI, or a custom URI.
    #[serde(rename = "EQ_disposition")]
    #[param(rename = "EQ_disposition")]
    pub disposition: Option<String>,
    /// An instance identifier (EPC URN or GS1 Digital Link) in any role.
    #[serde(rename = "MATCH_anyEPC")]
    #[param(rename = "MATCH_anyEPC")]
    pub any_epc: Option<String>,
    /// readPoint (SGLN URN or Digital Link).
    #[serde(rename = "EQ_readPoint")]
    #[param(rename = "EQ_readPoint")]
    pub read_point: Option<String>,
    /// bizLocation (SGLN URN or Digital Link).
    #[serde(rename = "EQ_bizLocation")]
    #[param(rename = "EQ_bizLocation")]
    pub biz_location: Option<String>,
    /// Events at or after: a date-time (`2024-01-31T12:00:00Z`) or a date (UTC).
    #[serde(rename = "GE_eventTime")]
    #[param(rename = "GE_eventTime")]
    pub from: Option<String>,
    /// Events before (same forms).
    #[serde(rename = "LT_eventTime")]
    #[param(rename = "LT_eventTime")]
    pub to: Option<String>,
    /// Events per page (default 100, at most 10,000).
    #[serde(rename = "perPage")]
    #[param(rename = "perPage", minimum = 1, maximum = 10000)]
    pub per_page: Option<i64>,
    /// The `nextPageToken` of the previous page's `Link` header.
    #[serde(rename = "nextPageToken")]
    #[param(rename = "nextPageToken")]
    pub next_page_token: Option<String>,
}

/// One filter checked by lifeline-trace's query check, its error naming `parameter`.
fn checked(parameter: &str, query: Query) -> ApiResult<lifeline_trace::repository::Filters> {
    query.checked().map_err(|error| match error {
        TraceError::Invalid { message, .. } => {
            ApiError::invalid(parameter, format!("{parameter}: {message}"))
        }
        other => ApiError::from(other),
    })
}

impl EventsQuery {
    fn filter(&self) -> ApiResult<EpcisFilter> {
        let event_type = match &self.event_type {
            None => None,
            Some(name) => Some(
                EventType::parse(name.trim())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "eventType",
                            format!(
                                "eventType: `{}` is not an EPCIS 2.0 event type",
                                lifeline_text::excerpt(name)
                            ),
                        )
                    })?
                    .as_str()
                    .to_owned(),
            ),
        };
        let location = |parameter: &str, value: &Option<String>| -> ApiResult<Option<String>> {
            value
                .as_ref()
                .map(|v| {
                    let query = Query {
                        location: Some(v.clone()),
                        ..Query::default()
                    };
                    checked(parameter, query).map(|f| f.location.unwrap_or_default())
                })
                .transpose()
        };
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::invalid(
                "perPage",
                format!("perPage: must be 1 to {MAX_PER_PAGE}"),
            ));
        }
        let offset = match &self.next_page_token {
            None => 0,
            Some(token) => token
                .parse::<i64>()
                .ok()
                .filter(|o| *o >= 0)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "nextPageToken",
                        "nextPageToken: not a token this server gave",
                    )
                })?,
        };
        let epc = match &self.any_epc {
            Some(v) => {
                checked(
                    "MATCH_anyEPC",
                    Query {
                        epc: Some(v.clone()),
                        ..Query::default()
                    },
                )?
                .epc
            }
            None => None,
        };
        let biz_step = match &self.biz_step {
            Some(v) => {
                checked(
                    "EQ_bizStep",
                    Query {
                        biz_step: Some(v.clone()),
                        ..Query::default()
                    },
                )?
                .biz_step
            }
            None => None,
        };
        let disposition = match &self.disposition {
            Some(v) => {
                checked(
                    "EQ_disposition",
                    Query {
                        disposition: Some(v.clone()),
                        ..Query::default()
                    },
                )?
                .disposition
            }
            None => None,
        };
        let from = match &self.from {
            Some(v) => {
                checked(
                    "GE_eventTime",
                    Query {
                        from: Some(v.clone()),
                        ..Query::default()
                    },
                )?
                .from
            }
            None => None,
        };
        let to = match &self.to {
            Some(v) => {
                checked(
                    "LT_eventTime",
                    Query {
                        to: Some(v.clone()),
                        ..Query::default()
                    },
                )?
                .to
            }
            None => None,
        };
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err(ApiError::invalid(
                "LT_eventTime",
                "LT_eventTime: must be later than GE_eventTime",
            ));
        }
        Ok(EpcisFilter {
            event_type,
            epc,
            from,
            to,
            biz_step,
            disposition,
            read_point: location("EQ_readPoint", &self.read_point)?,
            biz_location: location("EQ_bizLocation", &self.biz_location)?,
            offset,
            limit: per_page,
        })
    }
}

/// An EPCIS 2.0 query document (`EPCISQueryDocument`) with the events found.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryDocument {
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// `EPCISQueryDocument`.
    #[serde(rename = "type")]
    pub document_type: String,
    #[serde(rename = "schemaVersion")]
    pub schema_version: String,
    #[serde(rename = "creationDate")]
    pub creation_date: String,
    /// `{"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": [...]}}}`
    #[serde(rename = "epcisBody")]
    #[schema(value_type = Object)]
    pub epcis_body: serde_json::Value,
}

/// The organisation's events matching the EPCIS query parameters, in event time order, as
/// an EPCIS 2.0 query document. When more events match than `perPage`, the `Link` header
/// names the next page (`rel="next"`, with its `nextPageToken`).
#[utoipa::path(get, path = "/epcis/events", tag = "epcis", params(EventsQuery),
    responses((status = 200, description = "The events", body = QueryDocument,
        headers(("link" = String, description = "The next page, when there is one"))),
        CommonErrors))]
async fn events(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<EventsQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let mut filter = query.filter()?;
    let per_page = filter.limit;
    filter.limit = per_page + 1;
    let mut found = state.store.epcis_events(&caller.access(), &filter).await?;
    let more = found.len() as i64 > per_page;
    found.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    let list = found
        .iter()
        .map(|event| {
            serde_json::from_str::<serde_json::Value>(&event.document)
                .map_err(|e| ApiError::internal("stored event", &e))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let document = QueryDocument {
        context: vec![EPCIS_CONTEXT.to_owned()],
        document_type: "EPCISQueryDocument".into(),
        schema_version: "2.0".into(),
        creation_date: rfc3339(lifeline_store::now_ms()),
        epcis_body: serde_json::json!({
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": { "eventList": list }
            }
        }),
    };
    let mut response = Json(document).into_response();
    if more {
        let next = next_page_url(&query, filter.offset + per_page, per_page);
        if let Ok(value) = format!("<{next}>; rel=\"next\"").parse() {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// The URL of the page starting at `offset`, with the same filters.
fn next_page_url(query: &EventsQuery, offset: i64, per_page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("eventType", &query.event_type),
        ("EQ_bizStep", &query.biz_step),
        ("EQ_disposition", &query.disposition),
        ("MATCH_anyEPC", &query.any_epc),
        ("EQ_readPoint", &query.read_point),
        ("EQ_bizLocation", &query.biz_location),
        ("GE_eventTime", &query.from),
        ("LT_eventTime", &query.to),
    ] {
        if let Some(value) = value {
            pairs.push((name, value.clone()));
        }
    }
    pairs.push(("perPage", per_page.to_string()));
    pairs.push(("nextPageToken", offset.to_string()));
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", lifeline_text::percent_encoded(value)))
        .collect();
    format!("/api/v1/epcis/events?{}", query.join("&"))
}

fn facts_of(text: &str) -> ApiResult<EventFacts> {
    serde_json::from_str(text).map_err(|e| ApiError::internal("stored event facts", &e))
}

fn stored_event(event: StoredEpcisEvent) -> ApiResult<StoredEvent> {
    let facts = facts_of(&event.facts)?;
    Ok(StoredEvent::from_stored(
        facts,
        event.retracted,
        event.capture_id,
        &event.document,
    )?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The product: an EPC URN (`urn:epc:id:sgtin:…`) or a GS1 Digital Link.
    pub epc: String,
}

/// A product's history: every event of the organisation naming it in any role, in time
/// order, as `lifeline trace history --format json` lists them (`source` is the captureID).
#[utoipa::path(get, path = "/epcis/history", tag = "epcis", params(HistoryQuery),
    responses((status = 200, description = "The events, each its facts, whether retracted, \
        its capture and its EPCIS 2.0 JSON-LD body", body = Vec<Object>), CommonErrors))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<HistoryQuery>,
) -> ApiResult<Json<Vec<StoredEvent>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(product_history(&state, &caller, query.epc).await?))
}

/// A product's history (`epc`: an EPC URN or a GS1 Digital Link, checked and made
/// canonical as `lifeline trace history` does): the API's and the dashboard's.
pub(crate) async fn product_history(
    state: &AppState,
    caller: &Caller,
    epc: String,
) -> ApiResult<Vec<StoredEvent>> {
    let epc = checked(
        "epc",
        Query {
            epc: Some(epc),
            ..Query::default()
        },
    )?
    .epc
    .unwrap_or_default();
    let events = state.store.epcis_history(&caller.access(), &epc).await?;
    events.into_iter().map(stored_event).collect()
}

/// The chain-of-custody findings over all the organisation's events, as `lifeline trace
/// check --format json` gives them: hash mismatches first, then one aggregation family
/// after another.
#[utoipa::path(get, path = "/epcis/findings", tag = "epcis",
    responses((status = 200, description = "The findings: epc, rule, severity, events, message",
        body = Vec<Object>), CommonErrors))]
async fn findings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<lifeline_trace::rules::Finding>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(organisation_findings(&state, &caller).await?))
}

/// The findings over all the caller's organisation's events (`lifeline trace check`): the
/// API's and the dashboard's.
pub(crate) async fn organisation_findings(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<lifeline_trace::rules::Finding>> {
    let records = state.store.epcis_records(&caller.access()).await?;
    tokio::task::spawn_blocking(move || -> ApiResult<_> {
        let records = records
            .iter()
            .map(|(facts, retracted)| Ok((facts_of(facts)?, *retracted)))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(check_records(&records)?)
    })
    .await
    .map_err(|e| ApiError::internal("findings", &e))?
}

/// A product verification request (DSCSA): the identifier as on the pack.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// GTIN (8, 12, 13 or 14 digits).
    pub gtin: String,
    /// Serial number.
    pub serial: String,
    /// Lot number.
    pub lot: Option<String>,
    /// Expiry `YYMMDD` (AI 17) or `YYYY-MM-DD`.
    pub expiry: Option<String>,
}

/// Verifies a product identifier against the organisation's events, as `lifeline trace
/// verify --format json` does: `verified` or `not-verified`, a reason and the events behind
/// it.
#[utoipa::path(post, path = "/epcis/verify", tag = "epcis", request_body = VerifyBody,
    responses((status = 200, description = "verdict, reason, epc, events", body = Object),
        CommonErrors))]
async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<VerifyBody>,
) -> ApiResult<Json<lifeline_trace::verify::Verification>> {
    caller.require(Role::Viewer)?;
    let request = VerifyRequest {
        gtin: body.gtin,
        serial: body.serial,
        lot: body.lot,
        expiry: body.expiry,
    };
    Ok(Json(verify_product(state, &caller, request).await?))
}

/// Answers a verification request from the caller's organisation's events (`lifeline
/// trace verify`): the API's and the dashboard's.
pub(crate) async fn verify_product(
    state: AppState,
    caller: &Caller,
    request: VerifyRequest,
) -> ApiResult<lifeline_trace::verify::Verification> {
    let access = caller.access();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        // The verification walks from the product to the parents it was packed into,
        // asking for one history at a time.
        let mut history = |epc: &str| -> ApiResult<Vec<(EventFacts, bool)>> {
            runtime
                .block_on(state.store.epcis_history(&access, epc))?
                .into_iter()
                .map(|event| Ok((facts_of(&event.facts)?, event.retracted)))
                .collect()
        };
        verify_with(&mut history, &request)
    })
    .await
    .map_err(|e| ApiError::internal("verify", &e))?
}
