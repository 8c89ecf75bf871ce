//! The dashboard: server-rendered pages for browsers, on the same store, roles and jobs as
//! the API. Handlers here load what a page shows and render a `lifeline-web` view; the
//! views, charts and assets live in that crate.
//!
//! Browsers log in with a form and carry the session cookie (HttpOnly, SameSite=Strict);
//! every form that changes something sends the session's CSRF token as its `csrf` field,
//! checked before anything is read from the rest of the form. A page asked for without a
//! session redirects to the login form.

mod account;
mod exercises;
mod incidents;
mod network;
mod partners;
pub(crate) mod risk;
pub(crate) mod sim;
pub(crate) mod stress;
mod trace;
pub(crate) mod uploads;
mod vuln;

pub use stress::WebCache;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use lifeline_store::{Credentials, Role};
use lifeline_web::pages::ErrorPage;
use lifeline_web::{Chrome, Tab};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{Caller, SESSION_COOKIE, cookie, same_secret};
use crate::config::Limits;
use crate::error::ApiError;

/// The dashboard's routes.
pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(stress::router())
        .merge(network::router())
        .merge(sim::router())
        .merge(uploads::router(limits))
        .merge(trace::router(limits))
        .merge(vuln::router(limits))
        .merge(risk::router(limits))
        .merge(incidents::router(limits))
        .merge(exercises::router(limits))
        .merge(partners::router(limits))
        .route("/assets/{*name}", get(account::asset))
}

/// A browser with a session: the caller, and the CSRF token its forms send back.
pub struct Viewer {
    pub caller: Caller,
    csrf: String,
}

impl Viewer {
    /// The frame of a page in section `tab`.
    pub fn chrome(&self, tab: Tab) -> Chrome {
        let user = &self.caller.user;
        Chrome {
            user: user.name.clone(),
            org: user.org_name.clone(),
            role: user.role.as_str().to_owned(),
            csrf: self.csrf.clone(),
            can_upload: user.role.at_least(Role::Analyst),
            tab,
        }
    }

    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ApiError> {
        if same_secret(sent, &self.csrf) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "the form is out of date or came from another site: reload the page and try again",
            ))
        }
    }

    /// The page `result` in section `tab`, or its error as a page in the same frame.
    pub fn page(&self, tab: Tab, result: Result<Response, ApiError>) -> Response {
        result.unwrap_or_else(|e| error_page(Some(self.chrome(tab)), e))
    }
}

/// Why a page is not shown: no session (to the login form), or an error.
pub enum PageRejection {
    Login { next: String },
    Error(ApiError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login { next } => {
                let target = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", lifeline_text::percent_encoded(&next))
                };
                Redirect::to(&target).into_response()
            }
            PageRejection::Error(e) => error_page(None, e),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Viewer, PageRejection> {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|OriginalUri(uri)| uri.clone())
            .unwrap_or_else(|| parts.uri.clone());
        let next = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let login = || PageRejection::Login { next: next.clone() };
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login());
        };
        let principal = state
            .store
            .authenticate_session(secret)
            .await
            .map_err(|e| PageRejection::Error(e.into()))?
            .ok_or_else(login)?;
        let Credentials::Session { csrf, .. } = &principal.credentials else {
            return Err(login());
        };
        Ok(Viewer {
            csrf: csrf.clone(),
            caller: Caller {
                user: principal.user,
                credentials: principal.credentials,
            },
        })
    }
}

/// An error as an HTML page with its status; a server failure says no more than that.
pub fn error_page(chrome: Option<Chrome>, error: ApiError) -> Response {
    let status = error.status;
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Not logged in",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let view = ErrorPage {
        chrome,
        status: status.as_u16(),
        title: title.to_owned(),
        message: error.body.message.clone(),
    };
    let mut response = html(&view).unwrap_or_else(|e| e.into_response());
    *response.status_mut() = status;
    if let Some(wait) = error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, wait.into());
    }
    response
}

/// A view rendered to an HTML response.
pub fn html(view: &impl lifeline_web::Template) -> Result<Response, ApiError> {
    lifeline_web::render(view)
        .map(|page| Html(page).into_response())
        .map_err(|e| ApiError::internal("page", &e))
}

/// The query string of `uri` as `T`; a malformed one is a 400.
pub fn query<T: DeserializeOwned>(uri: &Uri) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(uri)
        .map(|axum::extract::Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("the query string: {}", e.body_text())))
}

/// The 404 page of a path no route serves.
pub async fn not_found() -> Response {
    error_page(
        None,
        ApiError::not_found("page", "this path").with_field("path"),
    )
}
