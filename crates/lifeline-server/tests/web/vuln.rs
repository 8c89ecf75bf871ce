//! The vulnerabilities page and the SBOM upload form: the findings listed are the API's
//! scan of the same SBOMs against the same advisories, known-exploited first; a refused
//! SBOM names the file and the field; roles, organisations and CSRF hold.

use std::path::{Path, PathBuf};

use axum::http::{Method, StatusCode};
use lifeline_store::Role;

use crate::common::{TestApp, apps};
use crate::{Browser, location, refused_by_api};

const DATA: &str = "crates/lifeline-vuln/tests/data";
const ABC: &str = "crates/lifeline-vuln/tests/data/scan/product-abc.cdx.json";
const PUMP: &str = "crates/lifeline-vuln/tests/data/spdx/infusion-pump.spdx.json";

fn read(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The advisories of the CLI's golden scan: every OSV record of two folders, two more
/// records, and the KEV excerpt, loaded by an admin through the API.
async fn load_advisories(app: &TestApp, admin: &str) {
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in ["osv/ghsa-converted", "osv-extra"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(DATA)
            .join(folder);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("the folder")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        files.extend(names);
    }
    for record in ["PYSEC-2023-74.json", "GO-2020-0001.json"] {
        files.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(DATA)
                .join("osv/osv-linter-testdata")
                .join(record),
        );
    }
    for file in files {
        let reply = app
            .send(
                Method::POST,
                "/api/v1/advisories/osv",
                Some(admin),
                Some(("application/json", std::fs::read(&file).expect("a record"))),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    let reply = app
        .send(
            Method::POST,
            "/api/v1/advisories/kev",
            Some(admin),
            Some((
                "application/json",
                read(&format!(
                    "{DATA}/kev/known_exploited_vulnerabilities.excerpt.json"
                )),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

async fn upload(
    browser: &Browser<'_>,
    name: &str,
    file: &str,
    bytes: &[u8],
) -> crate::common::Reply {
    browser
        .post_multipart(
            "/uploads/sbom",
            &[("name", name)],
            Some(("file", file, bytes)),
        )
        .await
}

/// The rows of the table with id `id`, each as its HTML.
fn rows<'p>(page: &'p str, id: &str) -> Vec<&'p str> {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let table = &page[start..];
    let table = &table[..table.find("</table>").expect("the table's end")];
    let body = &table[table.find("<tbody>").expect("a body")..];
    body.split("<tr").skip(1).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_sboms_are_scanned_as_the_api_scans_them_kev_first() {
    for app in apps().await {
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let browser = Browser::login(&app, "alice").await;
        let empty = browser.get("/vulnerabilities").await;
        assert_eq!(empty.status, StatusCode::OK);
        let empty = empty.text();
        assert!(empty.contains("id=\"vuln-no-sboms\""), "{empty}");
        assert!(empty.contains("id=\"vuln-no-advisories\""));
        assert!(
            empty.contains("POST /api/v1/advisories/osv"),
            "how to load them"
        );

        // An SBOM before any advisory: stored, listed, not scanned.
        let reply = upload(&browser, "product-abc", "product-abc.cdx.json", &read(ABC)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let confirmed = location(&reply);
        assert!(
            confirmed.starts_with("/vulnerabilities?sbom="),
            "{confirmed}"
        );
        let page = browser.get(&confirmed).await.text();
        assert!(
            page.contains("Stored the SBOM “product-abc” (CycloneDX"),
            "{page}"
        );
        let listed = rows(&page, "vuln-products");
        assert_eq!(listed.len(), 1);
        assert!(listed[0].contains("product-abc"));
        assert!(!page.contains("id=\"vuln-findings\""));
        assert!(page.contains("id=\"vuln-no-advisories\""));

        load_advisories(&app, &admin).await;
        // The second SBOM is named after its product.
        let reply = upload(&browser, "", "infusion-pump.spdx.json", &read(PUMP)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());

        // The API's scan of each SBOM: every finding is a row, with its product.
        let list = app.get("/api/v1/sboms", &admin).await.json();
        let mut expected: Vec<(String, String, String, bool)> = Vec::new();
        for sbom in list["sboms"].as_array().expect("SBOMs") {
            let id = sbom["id"].as_str().expect("an id");
            let scan = app
                .get(&format!("/api/v1/sboms/{id}/scan"), &admin)
                .await
                .json();
            let report = &scan["reports"][0];
            for finding in report["findings"].as_array().expect("findings") {
                expected.push((
                    report["source"].as_str().expect("a source").to_owned(),
                    finding["id"].as_str().expect("an id").to_owned(),
                    finding["component"]["name"]
                        .as_str()
                        .expect("a name")
                        .to_owned(),
                    !finding["kev"].is_null(),
                ));
            }
        }
        assert_eq!(expected.len(), 9, "{expected:?}");
        let page = browser.get("/vulnerabilities").await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        let found = rows(&page, "vuln-findings");
        assert_eq!(found.len(), expected.len());
        for (product, id, component, kev) in &expected {
            let row = found
                .iter()
                .find(|r| {
                    r.contains(&format!(">{id}"))
                        && r.contains(&format!("<td>{product}</td>"))
                        && r.contains(&format!("<td>{component}@"))
                })
                .unwrap_or_else(|| panic!("{product} {id} {component} in {found:?}"));
            assert_eq!(row.contains("Known exploited"), *kev, "{row}");
            assert_eq!(row.contains("Not in KEV"), !*kev, "{row}");
        }
        // Known-exploited findings first, in words as well as colour.
        let kev_rows = expected.iter().filter(|e| e.3).count();
        assert_eq!(kev_rows, 2);
        for (i, row) in found.iter().enumerate() {
            assert_eq!(
                row.contains("Known exploited"),
                i < kev_rows,
                "row {i}: {row}"
            );
        }
        assert!(found[0].contains("used in ransomware campaigns"));
        assert!(found[0].contains("CRITICAL 10 (CVSS"), "{}", found[0]);
        assert!(found[0].contains("open (no VEX statement)"));

        // Per product and per vendor.
        let products = rows(&page, "vuln-products");
        assert_eq!(products.len(), 2);
        let vendors = rows(&page, "vuln-vendors");
        assert!(!vendors.is_empty());
        let open: usize = products
            .iter()
            .map(|r| {
                let cells: Vec<&str> = r.split("<td class=\"num").collect();
                let cell = cells[2];
                cell[cell.find('>').expect("a cell") + 1..cell.find("</td>").expect("its end")]
                    .parse::<usize>()
                    .expect("a count")
            })
            .sum();
        assert_eq!(open, 9, "open findings per product add up");
        assert!(page.contains("9 open finding(s) over 2 product(s): 2 known exploited"));
        assert!(page.contains("CISA KEV catalogue version 2025.08.25"));

        // A FHIR device inventory rolled up: the API's device report, device by device.
        let inventory = read(&format!("{DATA}/devices/inventory.json"));
        let api = app
            .send(
                Method::POST,
                "/api/v1/devices/report",
                Some(&admin),
                Some(("application/json", inventory.clone())),
            )
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text());
        let api = api.json();
        let reply = browser
            .post_multipart(
                "/vulnerabilities/devices",
                &[],
                Some(("file", "inventory.json", &inventory)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let page = reply.text();
        let devices = rows(&page, "vuln-devices");
        let expected = api["devices"].as_array().expect("devices");
        assert_eq!(devices.len(), expected.len());
        for (row, device) in devices.iter().zip(expected) {
            let id = device["device"]["id"].as_str().expect("an id");
            assert!(row.contains(&format!("({id})")), "{id} in order: {row}");
            let open = device["counts"]["open"].as_u64().expect("a count");
            assert!(
                row.contains(&format!("<td class=\"num\">{open}</td>")),
                "{open} open in {row}"
            );
        }
        assert!(devices[0].contains("by UDI-DI"), "{}", devices[0]);
        assert!(
            page.contains("id=\"vuln-findings\""),
            "the rest of the page stays"
        );

        // A refused inventory names the file and the field, as the API does.
        let bad = br#"{"resourceType": "Device", "id": "bad id!"}"#.to_vec();
        let api = app
            .send(
                Method::POST,
                "/api/v1/devices/report",
                Some(&admin),
                Some(("application/json", bad.clone())),
            )
            .await;
        assert_eq!(
            api.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            api.text()
        );
        let reply = browser
            .post_multipart(
                "/vulnerabilities/devices",
                &[],
                Some(("file", "devices.json", &bad)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = reply.text();
        let errors = &page[page.find("id=\"devices-errors\"").expect("the errors")..];
        for d in api.json()["error"]["diagnostics"]
            .as_array()
            .expect("diagnostics")
        {
            let path = d["path"].as_str().expect("a path");
            assert!(
                errors.contains(&format!(
                    "<span class=\"file\">devices.json</span>: <code class=\"path\">{path}</code>"
                )),
                "{path} in {errors}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_sbom_names_the_file_and_the_field() {
    for app in apps().await {
        let token = app.user("Mercy Hospital", "anna", Role::Analyst).await;
        let browser = Browser::login(&app, "anna").await;
        let text = String::from_utf8(read(ABC)).expect("UTF-8");
        let bad = text.replacen("\"type\": \"library\"", "\"type\": 42", 1);
        assert_ne!(bad, text);
        let diagnostics = refused_by_api(
            &app,
            &token,
            "/api/v1/sboms?name=bad",
            "application/json",
            &bad,
        )
        .await;

        let reply = upload(&browser, "", "bad.cdx.json", bad.as_bytes()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = reply.text();
        let errors = &page[page.find("id=\"upload-errors\"").expect("the errors")..];
        assert!(errors.contains("The SBOM upload was refused"));
        for d in &diagnostics {
            let path = d["path"].as_str().expect("a path");
            assert!(path.starts_with("components["), "{path}");
            assert!(
                errors.contains(&format!(
                    "<span class=\"file\">bad.cdx.json</span>: <code class=\"path\">{path}</code>"
                )),
                "{path} in {errors}"
            );
        }
        // The name typed comes back in the SBOM form only.
        let reply = upload(&browser, "my pump", "notes.txt", b"hello").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        let page = reply.text();
        assert!(page.contains("<span class=\"file\">notes.txt</span>"));
        assert!(page.contains(
            "id=\"sbom-name\" name=\"name\" type=\"text\" maxlength=\"200\" value=\"my pump\""
        ));
        assert!(page.contains(
            "id=\"network-name\" name=\"name\" type=\"text\" maxlength=\"200\" value=\"\""
        ));
        // Nothing was stored.
        let list = app.get("/api/v1/sboms", &token).await.json();
        assert_eq!(list["sboms"], serde_json::json!([]));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_organisations_and_csrf_hold_on_vulnerabilities() {
    for app in apps().await {
        app.user("Mercy Hospital", "anna", Role::Analyst).await;
        app.user("Mercy Hospital", "victor", Role::Viewer).await;
        app.user("Mercy Hospital", "paula", Role::Partner).await;
        app.user("Other Hospital", "bob", Role::Admin).await;
        let analyst = Browser::login(&app, "anna").await;
        let reply = upload(&analyst, "", "product-abc.cdx.json", &read(ABC)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let confirmed = location(&reply);
        let uploads = analyst.get("/uploads").await.text();
        assert!(uploads.contains("<form id=\"sbom-upload\""));
        assert!(uploads.contains("<label for=\"sbom-file\">"));

        for csrf in ["forged", ""] {
            let forged = analyst
                .post_multipart(
                    "/uploads/sbom",
                    &[("csrf", csrf), ("name", "again")],
                    Some(("file", "product-abc.cdx.json", &read(ABC))),
                )
                .await;
            assert_eq!(forged.status, StatusCode::FORBIDDEN, "csrf `{csrf}`");
        }

        // A viewer reads the page, finds no upload form, and cannot upload.
        let viewer = Browser::login(&app, "victor").await;
        let page = viewer.get("/vulnerabilities").await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(page.contains("<th scope=\"row\">ABC 4.2</th>"), "{page}");
        assert!(page.contains("An administrator of your organisation loads them"));
        assert!(
            !viewer
                .get("/uploads")
                .await
                .text()
                .contains("id=\"sbom-upload\"")
        );
        let forged = upload(&viewer, "mine", "product-abc.cdx.json", &read(ABC)).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // The device roll-up stores nothing: a viewer may send it, with the form's token.
        let inventory = read(&format!("{DATA}/devices/inventory.json"));
        let forged = viewer
            .post_multipart(
                "/vulnerabilities/devices",
                &[("csrf", "forged")],
                Some(("file", "inventory.json", &inventory)),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let reply = viewer
            .post_multipart(
                "/vulnerabilities/devices",
                &[],
                Some(("file", "inventory.json", &inventory)),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CONFLICT,
            "no advisories are loaded"
        );
        assert!(reply.text().contains("id=\"devices-errors\""));
        let list = app
            .get(
                "/api/v1/sboms",
                &app.user("Mercy Hospital", "ada", Role::Admin).await,
            )
            .await
            .json();
        assert_eq!(list["sboms"].as_array().map(Vec::len), Some(1), "{list}");

        let partner = Browser::login(&app, "paula").await;
        assert_eq!(
            partner.get("/vulnerabilities").await.status,
            StatusCode::FORBIDDEN
        );

        // Another organisation sees none of it.
        let other = Browser::login(&app, "bob").await;
        let page = other.get("/vulnerabilities").await.text();
        assert!(page.contains("id=\"vuln-no-sboms\""), "{page}");
        assert!(!page.contains("ABC 4.2"));
        assert_eq!(other.get(&confirmed).await.status, StatusCode::NOT_FOUND);
    }
}
