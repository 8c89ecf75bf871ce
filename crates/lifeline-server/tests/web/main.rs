//! The dashboard's pages, through the router in memory: a [`Browser`] logs in with the
//! form, keeps its session cookie and sends the CSRF token its pages carry, as a browser
//! would. End-to-end tests in a real browser are in `lifeline-cli/tests/browser.rs`.

#[path = "../common/mod.rs"]
mod common;

mod exercises;
mod incidents;
mod map;
mod pages;
mod risk;
mod sim;
mod trace;
mod vuln;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, Reply, TestApp};

/// A logged-in browser session on a [`TestApp`].
pub struct Browser<'a> {
    pub app: &'a TestApp,
    cookie: String,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    /// Logs `user` in through the login form.
    pub async fn login(app: &'a TestApp, user: &str) -> Browser<'a> {
        let form = format!("user={}&password={}", urlencode(user), urlencode(PASSWORD));
        let reply = app
            .call(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .expect("a request"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let cookie = reply
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let mut browser = Browser {
            app,
            cookie,
            csrf: String::new(),
        };
        let page = browser.get("/networks").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        browser.csrf = hidden(&page.text(), "csrf").expect("pages carry the CSRF token");
        browser
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.app
            .call(
                Request::get(path)
                    .header(header::COOKIE, &self.cookie)
                    .body(Body::empty())
                    .expect("a request"),
            )
            .await
    }

    /// Posts a form-encoded form; `csrf` is added unless `fields` has one.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            pairs.push(format!("csrf={}", urlencode(&self.csrf)));
        }
        self.app
            .call(
                Request::builder()
                    .method(Method::POST)
                    .uri(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(pairs.join("&")))
                    .expect("a request"),
            )
            .await
    }

    /// Posts a multipart form with text `fields` (plus `csrf` unless given) and one file.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Reply {
        const BOUNDARY: &str = "lifeline-test-boundary-7c1f";
        let mut body = Vec::new();
        let mut part = |headers: String, content: &[u8]| {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            part(
                "Content-Disposition: form-data; name=\"csrf\"".to_owned(),
                self.csrf.as_bytes(),
            );
        }
        for (k, v) in fields {
            part(
                format!("Content-Disposition: form-data; name=\"{k}\""),
                v.as_bytes(),
            );
        }
        if let Some((field, name, bytes)) = file {
            part(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream"
                ),
                bytes,
            );
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.app
            .call(
                Request::builder()
                    .method(Method::POST)
                    .uri(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(Body::from(body))
                    .expect("a request"),
            )
            .await
    }
}

/// The `value` of the hidden input named `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    rest.split('"').next().map(str::to_owned)
}

/// Where a redirect goes.
pub fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An example network's bytes.
pub fn example(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the example exists")
}

/// The diagnostics the API refuses `body` with (422) when posted to `path`: what a
/// refused upload through a form must list too.
pub async fn refused_by_api(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Vec<serde_json::Value> {
    let api = app
        .send(
            Method::POST,
            path,
            Some(token),
            Some((content_type, body.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(
        api.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        api.text()
    );
    let diagnostics = api.json()["error"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone();
    assert!(!diagnostics.is_empty());
    diagnostics
}

/// Uploads iv-fluids through the form as `browser` and waits for its stress test; the
/// network's id.
pub async fn iv_fluids(browser: &Browser<'_>) -> String {
    let reply = browser
        .post_multipart(
            "/uploads/network",
            &[("name", "iv")],
            Some(("file", "iv-fluids.json", &example("iv-fluids.json"))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let stress = location(&reply);
    settled(browser, &stress).await;
    stress
        .trim_start_matches("/networks/")
        .trim_end_matches("/stress")
        .to_owned()
}

/// Shares network `id` (of organisation `north`) with the partner organisation `mercy`
/// through the API, as a new admin of `north`.
pub async fn share_with_mercy(app: &TestApp, id: &str) {
    let admin = app.user("north", "root", lifeline_store::Role::Admin).await;
    let shared = app
        .post_json(
            &format!("/api/v1/networks/{id}/shares"),
            &admin,
            &serde_json::json!({ "org": "mercy" }),
        )
        .await;
    assert_eq!(shared.status, StatusCode::NO_CONTENT, "{}", shared.text());
}

/// Waits (up to 120 s) until `path` no longer shows a running job's progress.
pub async fn settled(browser: &Browser<'_>, path: &str) -> Reply {
    for _ in 0..1200 {
        let reply = browser.get(path).await;
        if !reply.text().contains("id=\"job-progress\"") {
            return reply;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job behind {path} did not finish in 120 s");
}
