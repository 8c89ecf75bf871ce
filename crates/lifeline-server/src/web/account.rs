//! Logging in and out with a form, and the embedded assets.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lifeline_store::Credentials;
use lifeline_web::pages::LoginPage;
use serde::Deserialize;

use super::{Viewer, error_page, html, query};
use crate::AppState;
use crate::auth::{SESSION_COOKIE, client_ip, cookie};
use crate::error::ApiError;
use crate::routes::account::{CLEAR_SESSION, start_session};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after logging in: a path of this site, else the overview. Refuses
/// `//host`, `/\\host` and anything not starting with `/`, so the login form cannot send
/// anyone to another site.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let next = query::<NextQuery>(&uri).unwrap_or_default().next;
    // Someone already logged in goes on.
    if let Some(secret) = cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = state.store.authenticate_session(secret).await
    {
        return Redirect::to(&local_path(next.as_deref())).into_response();
    }
    let view = LoginPage {
        error: None,
        user: String::new(),
        next: local_path(next.as_deref()),
        setup: state.setup_token().is_some(),
        cookie_dropped: cookie_dropped(&state, &headers),
    };
    html(&view).unwrap_or_else(|e| error_page(None, e))
}

/// Whether a browser will refuse this server's session cookie: it is `Secure`, the server
/// speaks plain HTTP, no proxy in front says the browser used HTTPS, and the browser
/// reached a host other than this machine (browsers keep `Secure` cookies from
/// `localhost`, `127.0.0.1` and `[::1]` over HTTP).
fn cookie_dropped(state: &AppState, headers: &HeaderMap) -> bool {
    if !state.cookie_secure || state.tls {
        return false;
    }
    let proxied_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !proxied_https && !host.is_empty() && !loopback
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    user: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(None, ApiError::bad_request("the login form is incomplete"));
    };
    let next = local_path(form.next.as_deref());
    match start_session(&state, client_ip(&extensions), &form.user, &form.password).await {
        Ok((_, _, set_cookie)) => (
            StatusCode::SEE_OTHER,
            [(header::SET_COOKIE, set_cookie), (header::LOCATION, next)],
        )
            .into_response(),
        Err(e) if e.status.is_client_error() => {
            let view = LoginPage {
                error: Some(e.body.message.clone()),
                user: form.user,
                next,
                setup: state.setup_token().is_some(),
                cookie_dropped: cookie_dropped(&state, &headers),
            };
            let mut response = html(&view).unwrap_or_else(|e| error_page(None, e));
            *response.status_mut() = e.status;
            if let Some(wait) = e.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.into());
            }
            response
        }
        Err(e) => error_page(None, e),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Response {
    let ended = async {
        viewer.check_csrf(&form.csrf)?;
        if let Credentials::Session { id, .. } = &viewer.caller.credentials {
            state.store.end_session(id, &viewer.caller.user).await?;
        }
        Ok::<_, ApiError>(())
    }
    .await;
    match ended {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, CLEAR_SESSION),
                (header::LOCATION, "/login"),
            ],
        )
            .into_response(),
        Err(e) => error_page(None, e),
    }
}

/// `GET /assets/NAME`: an embedded file, revalidated by its ETag.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = lifeline_web::assets::asset(&name) else {
        return super::not_found().await;
    };
    let etag = asset.etag();
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let cache = [(header::ETAG, etag), (header::CACHE_CONTROL, "no-cache")];
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        [(header::CONTENT_TYPE, asset.content_type)],
        cache,
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            local_path(Some("/networks/n1/stress?sort=tts")),
            "/networks/n1/stress?sort=tts"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "x",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
