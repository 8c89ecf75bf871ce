//! The traceability page and the EPCIS upload form: what the page shows is what the API
//! returns for the same events (history, findings, verification); refused files name the
//! event and field; roles, organisations and CSRF hold.

use axum::http::StatusCode;
use lifeline_store::Role;

use crate::common::{TestApp, apps};
use crate::{Browser, location, refused_by_api, urlencode};

/// The example shipments: three products with a clone, a diversion and an expired shipment.
fn shipments() -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../examples/trace/iv-fluids-shipments.jsonld",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the example exists")
}

/// `text` as askama writes it into a page.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The part of `page` from the element with id `id` to the end of its table (or `</div>`).
fn section<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[start..];
    let end = rest
        .find("</table>")
        .or_else(|| rest.find("</div>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn short(hash: &str) -> &str {
    let hex = hash.strip_prefix("ni:///sha-256;").unwrap_or(hash);
    &hex[..12]
}

async fn upload(browser: &Browser<'_>, name: &str, bytes: &[u8]) -> crate::common::Reply {
    browser
        .post_multipart("/uploads/epcis", &[], Some(("file", name, bytes)))
        .await
}

async fn api_verify(app: &TestApp, token: &str, gtin: &str, serial: &str) -> serde_json::Value {
    let reply = app
        .post_json(
            "/api/v1/epcis/verify",
            token,
            &serde_json::json!({ "gtin": gtin, "serial": serial }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_epcis_upload_shows_the_apis_history_findings_and_verification() {
    for app in apps().await {
        let token = app.user("north", "ada", Role::Analyst).await;
        let browser = Browser::login(&app, "ada").await;
        let empty = browser.get("/trace").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.text().contains("No chain-of-custody findings"));

        let reply = upload(&browser, "iv-fluids-shipments.jsonld", &shipments()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let confirmed = location(&reply);
        assert!(confirmed.starts_with("/trace?captured="), "{confirmed}");
        let page = browser.get(&confirmed).await.text();
        assert!(
            page.contains("12 event(s), 12 stored now, 0 already stored"),
            "{page}"
        );
        // Idempotent: the same file again stores nothing new.
        let again = upload(&browser, "iv-fluids-shipments.jsonld", &shipments()).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
        let page = browser.get(&location(&again)).await.text();
        assert!(
            page.contains("12 event(s), 0 stored now, 12 already stored"),
            "{page}"
        );

        // Findings: every one the API gives, in its order, with the rule explained.
        let findings = app.get("/api/v1/epcis/findings", &token).await.json();
        let findings = findings.as_array().expect("an array");
        assert_eq!(findings.len(), 3, "{findings:?}");
        let listed = section(&page, "trace-findings");
        assert!(listed.contains("3 finding(s): 3 error(s)"), "{listed}");
        let mut at = 0;
        for finding in findings {
            let message = escaped(finding["message"].as_str().expect("a message"));
            let found = listed[at..]
                .find(&message)
                .unwrap_or_else(|| panic!("{message} in order in {listed}"));
            at += found;
            assert!(listed.contains(finding["epc"].as_str().expect("an epc")));
            for hash in finding["events"].as_array().expect("events") {
                assert!(listed.contains(short(hash.as_str().expect("a hash"))));
            }
        }
        assert!(listed.contains("Commissioned twice"));
        assert!(listed.contains("diverted"), "custody-break in plain words");
        assert!(listed.contains("Shipped after expiry"));

        // History by EPC and by GTIN + serial: the API's events, in its order.
        let epc = "urn:epc:id:sgtin:0614141.020001.1001";
        let history = app
            .get(
                &format!("/api/v1/epcis/history?epc={}", urlencode(epc)),
                &token,
            )
            .await
            .json();
        let history = history.as_array().expect("an array");
        assert_eq!(history.len(), 6, "{history:?}");
        let by_epc = browser
            .get(&format!("/trace?epc={}", urlencode(epc)))
            .await
            .text();
        let by_gtin = browser
            .get("/trace?gtin=00614141200016&serial=1001")
            .await
            .text();
        for page in [&by_epc, &by_gtin] {
            let table = section(page, "trace-events");
            assert!(table.contains("6 event(s) naming"), "{table}");
            assert_eq!(table.matches("<tr").count(), 7, "a header and six events");
            let mut at = 0;
            for event in history {
                let hash = short(event["hash"].as_str().expect("a hash"));
                at += table[at..]
                    .find(hash)
                    .unwrap_or_else(|| panic!("{hash} in order in {table}"));
            }
            assert!(table.contains("commissioning"));
            assert!(table.contains("lot NC2604A, expires 2027-09-30"));
            assert!(table.contains("GLN 0614141000012"), "where, as a GLN");
            assert!(table.contains("from owning party GLN"), "who");
        }
        assert!(
            by_gtin.contains("value=\"00614141200016\""),
            "the form keeps its input"
        );

        // Verification: the API's verdict and reason.
        for (gtin, serial) in [
            ("00614141200016", "1001"),
            ("00614141200016", "1002"),
            ("00614141200030", "2001"),
            ("00614141200016", "9999"),
        ] {
            let expected = api_verify(&app, &token, gtin, serial).await;
            let page = browser
                .get(&format!(
                    "/trace/verify?gtin={gtin}&serial={serial}&lot=&expiry="
                ))
                .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text());
            let page = page.text();
            let result = section(&page, "verify-result");
            let verdict = expected["verdict"].as_str().expect("a verdict");
            assert!(
                result.contains(&format!("data-verdict=\"{verdict}\"")),
                "{verdict}: {result}"
            );
            let reason = escaped(expected["reason"].as_str().expect("a reason"));
            assert!(result.contains(&reason), "{reason} in {result}");
        }
        let wrong_lot = browser
            .get("/trace/verify?gtin=00614141200016&serial=1002&lot=XX&expiry=")
            .await
            .text();
        assert!(wrong_lot.contains("data-verdict=\"not-verified\""));

        // Bad input comes back on the form, naming the field.
        let bad = browser.get("/trace?gtin=12x&serial=1").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(section(&bad.text(), "history-error").contains("<code>gtin</code>"));
        let bad = browser
            .get("/trace/verify?gtin=00614141200016&serial=1001&expiry=31.12.2027")
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.text()
        );
        assert!(section(&bad.text(), "verify-error").contains("<code>expiry</code>"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_epcis_file_names_the_file_the_event_and_the_field() {
    for app in apps().await {
        let token = app.user("north", "ada", Role::Analyst).await;
        let browser = Browser::login(&app, "ada").await;
        let text = String::from_utf8(shipments()).expect("UTF-8");
        let bad = text.replacen("\"action\": \"OBSERVE\"", "\"action\": \"LOOK\"", 1);
        assert_ne!(bad, text);
        let diagnostics = refused_by_api(
            &app,
            &token,
            "/api/v1/epcis/capture",
            "application/ld+json",
            &bad,
        )
        .await;

        let reply = upload(&browser, "bad-shipments.jsonld", bad.as_bytes()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = reply.text();
        let errors = section(&page, "upload-errors");
        assert!(errors.contains("The EPCIS upload was refused"), "{errors}");
        for d in diagnostics {
            let path = d["path"].as_str().expect("a path");
            assert!(path.starts_with("eventList[1]"), "{path}");
            assert!(errors.contains(&format!("<span class=\"file\">bad-shipments.jsonld</span>: <code class=\"path\">{}</code>", escaped(path))), "{errors}");
        }
        // All or nothing: nothing was stored.
        let events = app.get("/api/v1/epcis/events", &token).await.json();
        assert_eq!(
            events["epcisBody"]["queryResults"]["resultsBody"]["eventList"],
            serde_json::json!([])
        );
        // Not an EPCIS document at all.
        let reply = upload(&browser, "notes.txt", b"hello").await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(
            reply
                .text()
                .contains("<span class=\"file\">notes.txt</span>")
        );
        // No file chosen.
        let reply = browser.post_multipart("/uploads/epcis", &[], None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("choose an EPCIS document"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_organisations_and_csrf_hold_on_traceability() {
    for app in apps().await {
        app.user("north", "ada", Role::Analyst).await;
        app.user("north", "val", Role::Viewer).await;
        app.user("north", "pat", Role::Partner).await;
        app.user("south", "sam", Role::Admin).await;
        let analyst = Browser::login(&app, "ada").await;
        let reply = upload(&analyst, "iv-fluids-shipments.jsonld", &shipments()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let confirmed = location(&reply);

        // Bad or missing CSRF token: refused, nothing stored.
        for csrf in ["forged", ""] {
            let forged = analyst
                .post_multipart(
                    "/uploads/epcis",
                    &[("csrf", csrf)],
                    Some(("file", "x.jsonld", &shipments())),
                )
                .await;
            assert_eq!(forged.status, StatusCode::FORBIDDEN, "csrf `{csrf}`");
        }

        // A viewer reads the page but finds no upload form; a forged upload is refused.
        let viewer = Browser::login(&app, "val").await;
        let page = viewer.get("/trace").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("3 finding(s)"));
        let uploads = viewer.get("/uploads").await.text();
        assert!(!uploads.contains("id=\"epcis-upload\""));
        assert!(!uploads.contains("id=\"sbom-upload\""));
        assert!(uploads.contains("id=\"no-upload\""));
        let forged = upload(&viewer, "iv-fluids-shipments.jsonld", &shipments()).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(!forged.text().contains("id=\"epcis-upload\""));

        // A partner sees no events of the organisation.
        let partner = Browser::login(&app, "pat").await;
        assert_eq!(partner.get("/trace").await.status, StatusCode::FORBIDDEN);

        // Another organisation sees none of it.
        let other = Browser::login(&app, "sam").await;
        let page = other.get("/trace").await.text();
        assert!(page.contains("No chain-of-custody findings"), "{page}");
        let history = other
            .get("/trace?epc=urn%3Aepc%3Aid%3Asgtin%3A0614141.020001.1001")
            .await
            .text();
        assert!(history.contains("id=\"trace-no-events\""), "{history}");
        let verify = other
            .get("/trace/verify?gtin=00614141200016&serial=1001")
            .await
            .text();
        assert!(verify.contains("data-verdict=\"not-verified\""));
        assert!(verify.contains("No commissioning record"));
        assert_eq!(
            other.get(&confirmed).await.status,
            StatusCode::NOT_FOUND,
            "another organisation's capture"
        );
        // The uploads page shows the analyst's forms.
        let uploads = analyst.get("/uploads").await.text();
        assert!(uploads.contains("<form id=\"epcis-upload\""));
        assert!(uploads.contains("<label for=\"epcis-file\">"));
    }
}
