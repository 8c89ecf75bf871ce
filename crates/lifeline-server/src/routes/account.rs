//! First-run setup, login and logout, the caller, API tokens, users, and the audit log.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_store::{Credentials, Role, rfc3339};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{Caller, SESSION_COOKIE, client_ip, same_secret};
use crate::error::{ApiError, ApiResult, CommonErrors, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup))
        .routes(routes!(login, logout))
        .routes(routes!(me))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(create_user, list_users))
        .routes(routes!(audit))
}

/// A user, as the API shows one.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub id: String,
    pub name: String,
    pub org: String,
    pub role: String,
    pub created_at: String,
}

impl UserBody {
    pub fn of(user: &lifeline_store::User) -> UserBody {
        UserBody {
            id: user.id.clone(),
            name: user.name.clone(),
            org: user.org_name.clone(),
            role: user.role.as_str().to_owned(),
            created_at: rfc3339(user.created_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The one-time token the server printed at its first start.
    pub setup_token: String,
    /// The first organisation's name.
    pub org: String,
    /// The first admin's user name.
    pub user: String,
    /// At least 12 characters.
    pub password: String,
}

/// Creates the first organisation and its admin with the one-time setup token printed at
/// the first start; refused once any user exists.
#[utoipa::path(post, path = "/setup", tag = "account", request_body = SetupRequest,
    responses((status = 201, description = "The first admin", body = UserBody),
        (status = 409, description = "Set up already", body = ErrorBody), CommonErrors))]
async fn setup(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SetupRequest>,
) -> ApiResult<(StatusCode, Json<UserBody>)> {
    // The token is taken out while this request sets up, so that a second request at the
    // same moment finds none (409); it is put back if setting up fails.
    let token = {
        let mut guard = state
            .setup_token
            .lock()
            .map_err(|_| ApiError::internal("setup", &"lock poisoned"))?;
        match guard.as_deref() {
            None => {
                return Err(ApiError::conflict(
                    "lifeline is set up already: an admin creates users",
                ));
            }
            Some(expected) if !same_secret(&request.setup_token, expected) => {
                return Err(ApiError::unauthorized(
                    "the setup token is not the one printed at start",
                )
                .with_field("setup_token"));
            }
            Some(_) => guard.take(),
        }
    };
    let created = async {
        if state.store.count_users().await? > 0 {
            return Err(ApiError::conflict("lifeline is set up already"));
        }
        Ok(state
            .store
            .create_first_admin(&request.org, &request.user, &request.password, "setup")
            .await?)
    }
    .await;
    let user = match created {
        Ok(user) => user,
        Err(e) => {
            if let Ok(mut guard) = state.setup_token.lock() {
                *guard = token;
            }
            return Err(e);
        }
    };
    tracing::info!(user = %user.name, org = %user.org_name, "set up: first admin created");
    Ok((StatusCode::CREATED, Json(UserBody::of(&user))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginBody {
    pub user: UserBody,
    /// Send this back in the `x-csrf-token` header with every change.
    pub csrf_token: String,
    pub expires_at: String,
}

/// Logs in with a user name and password: sets a session cookie (HttpOnly, SameSite=Strict)
/// and returns the CSRF token. Failed attempts are limited per client and user name.
#[utoipa::path(post, path = "/session", tag = "account", request_body = LoginRequest,
    responses((status = 200, description = "Logged in", body = LoginBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody), CommonErrors))]
async fn login(
    State(state): State<AppState>,
    request_parts: axum::http::Extensions,
    JsonBody(request): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let ip = client_ip(&request_parts);
    let (user, keys, cookie) = start_session(&state, ip, &request.user, &request.password).await?;
    let body = LoginBody {
        user: UserBody::of(&user),
        csrf_token: keys.csrf,
        expires_at: rfc3339(keys.expires_at),
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Checks a user name and password (failed attempts limited per client address and name)
/// and starts a session: the user, the session's keys, and its `Set-Cookie` value
/// (HttpOnly, SameSite=Strict, Secure unless configured off).
pub(crate) async fn start_session(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    name: &str,
    password: &str,
) -> ApiResult<(lifeline_store::User, lifeline_store::SessionKeys, String)> {
    if let Some(wait) = state.login_limiter.blocked(ip, name) {
        return Err(ApiError::too_many_requests(wait));
    }
    let Some(user) = state.store.check_password(name, password).await? else {
        state.login_limiter.failed(ip, name);
        tracing::warn!(user = %lifeline_text::escaped(name), ?ip, "failed login");
        return Err(ApiError::unauthorized("wrong user name or password"));
    };
    state.login_limiter.succeeded(ip, name);
    let keys = state
        .store
        .create_session(&user, state.session_hours)
        .await?;
    let secure = if state.cookie_secure { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        keys.secret,
        u64::from(state.session_hours) * 3600
    );
    Ok((user, keys, cookie))
}

/// The `Set-Cookie` value that clears the session cookie.
pub(crate) const CLEAR_SESSION: &str =
    "lifeline_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

/// Ends the browser session and clears its cookie.
#[utoipa::path(delete, path = "/session", tag = "account",
    responses((status = 204, description = "Logged out"), CommonErrors))]
async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if let Credentials::Session { id, .. } = &caller.credentials {
        state.store.end_session(id, &caller.user).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, CLEAR_SESSION)],
    )
        .into_response())
}

/// The caller.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, description = "The caller", body = UserBody), CommonErrors))]
async fn me(caller: Caller) -> Json<UserBody> {
    Json(UserBody::of(&caller.user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for (a script, a dashboard).
    #[serde(default)]
    pub label: String,
    /// Days until it expires (1 to 3650; default: never).
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenBody {
    pub id: String,
    /// The token: shown this once, stored only as a digest.
    pub token: String,
    pub expires_at: Option<String>,
}

/// Creates an API token for the caller.
#[utoipa::path(post, path = "/tokens", tag = "account", request_body = TokenRequest,
    responses((status = 201, description = "The new token", body = NewTokenBody), CommonErrors))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewTokenBody>)> {
    let token = state
        .store
        .create_token(
            &caller.user.name,
            &request.label,
            request.expires_days,
            &caller.user.name,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenBody {
            id: token.id,
            token: token.secret,
            expires_at: token.expires_at.map(rfc3339),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub id: String,
    pub user: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenBody>,
}

/// The caller's tokens; an admin sees every token of the organisation.
#[utoipa::path(get, path = "/tokens", tag = "account",
    responses((status = 200, description = "Tokens, newest first", body = TokenList), CommonErrors))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<TokenList>> {
    let user = (caller.user.role != Role::Admin).then_some(caller.user.id.as_str());
    let tokens = state.store.tokens(&caller.user.org_id, user).await?;
    Ok(Json(TokenList {
        tokens: tokens
            .into_iter()
            .map(|t| TokenBody {
                id: t.id,
                user: t.user_name,
                label: t.label,
                created_at: rfc3339(t.created_at),
                expires_at: t.expires_at.map(rfc3339),
                revoked_at: t.revoked_at.map(rfc3339),
            })
            .collect(),
    }))
}

/// Revokes a token: the caller's own, or any of the organisation's for an admin.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "account",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), CommonErrors))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<StatusCode> {
    let user = (caller.user.role != Role::Admin).then_some(caller.user.id.as_str());
    state
        .store
        .revoke_token(Some(&caller.user.org_id), user, &id, &caller.user.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRequest {
    pub name: String,
    pub role: RoleName,
    /// At least 12 characters.
    pub password: String,
    /// A phone number or mail address for escalations; stored encrypted.
    pub contact: Option<String>,
}

/// What a user may do: `viewer` < `analyst` < `admin` in their organisation; a `partner`
/// reads only what other organisations shared with theirs.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Admin,
    Analyst,
    Viewer,
    Partner,
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Role {
        match role {
            RoleName::Admin => Role::Admin,
            RoleName::Analyst => Role::Analyst,
            RoleName::Viewer => Role::Viewer,
            RoleName::Partner => Role::Partner,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserBody>,
}

/// Creates a user in the caller's organisation (admins only).
#[utoipa::path(post, path = "/users", tag = "account", request_body = UserRequest,
    responses((status = 201, description = "The new user", body = UserBody),
        (status = 409, description = "The name is taken", body = ErrorBody), CommonErrors))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<UserRequest>,
) -> ApiResult<(StatusCode, Json<UserBody>)> {
    caller.require(Role::Admin)?;
    let user = state
        .store
        .create_user(
            &caller.user.org_name,
            &request.name,
            request.role.into(),
            &request.password,
            request.contact.as_deref(),
            &caller.user.name,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UserBody::of(&user))))
}

/// The users of the caller's organisation (admins only).
#[utoipa::path(get, path = "/users", tag = "account",
    responses((status = 200, description = "Users", body = UserList), CommonErrors))]
async fn list_users(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UserList>> {
    caller.require(Role::Admin)?;
    let users = state.store.users(&caller.user.org_id).await?;
    Ok(Json(UserList {
        users: users.iter().map(UserBody::of).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most this many entries, newest first (1 to 1000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Details of the write, as JSON text.
    pub detail: String,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditEntryBody>,
}

/// The organisation's audit entries, newest first (admins only).
#[utoipa::path(get, path = "/audit", tag = "account", params(AuditQuery),
    responses((status = 200, description = "Audit entries", body = AuditList), CommonErrors))]
async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<AuditQuery>,
) -> ApiResult<Json<AuditList>> {
    caller.require(Role::Admin)?;
    let limit = crate::extract::limit(query.limit)?;
    let rows = state
        .store
        .audit_entries(&caller.user.org_id, limit)
        .await?;
    Ok(Json(AuditList {
        entries: rows
            .into_iter()
            .map(|r| AuditEntryBody {
                seq: r.seq,
                at: rfc3339(r.at),
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: r.detail,
                hash: r.hash,
            })
            .collect(),
    }))
}
