//! The network page: the supply map's page, its layout as JSON, an entity's side panel;
//! the vendored map library served; sessions, organisations and roles on each.

use axum::http::{Method, StatusCode, header};
use lifeline_store::Role;

use crate::common::apps;
use crate::{Browser, iv_fluids, location};

#[tokio::test]
async fn the_map_of_iv_fluids_shows_the_nc_plant_exposed_with_its_scenario() {
    for app in apps().await {
        app.user("north", "ada", Role::Analyst).await;
        app.user("north", "val", Role::Viewer).await;
        let analyst = Browser::login(&app, "ada").await;
        let id = iv_fluids(&analyst).await;
        let viewer = Browser::login(&app, "val").await;

        let reply = viewer.get(&format!("/networks/{id}")).await;
        assert_eq!(reply.status, StatusCode::OK);
        let page = reply.text();
        for needle in [
            "id=\"supply-map\"",
            &format!("data-src=\"/networks/{id}/map.json\""),
            "aria-label=\"Supply map of iv\"",
            "id=\"entity-panel\" aria-live=\"polite\"",
            "id=\"map-legend\"",
            "id=\"entity-table\"",
            "src=\"/assets/vendor/cytoscape/cytoscape.min.js\"",
            "src=\"/assets/map.js\"",
            "3 entities are exposed, the most first: iv-plant-nc, dist-metro, iv-plant-tx.",
            "15 entities (14 sites, 1 platform) joined by 21 links",
        ] {
            assert!(page.contains(needle), "{needle} in {page}");
        }
        // The table lists the exposed plant first, linked to its scenario page.
        let table = &page[page.find("id=\"entity-table\"").expect("the table")..];
        let first = &table[table.find("<tbody>").expect("rows")..];
        let first = &first[..first.find("</tr>").expect("a row")];
        assert!(
            first.contains(&format!(
                "<a class=\"entity\" href=\"/networks/{id}/entities/iv-plant-nc\">iv-plant-nc</a>"
            )),
            "{first}"
        );
        assert!(first.contains("class=\"exposed\">Exposed</td>"), "{first}");
        assert!(
            !page.contains("method=\"post\" action=\"/networks"),
            "a viewer's map page changes nothing"
        );
        assert!(!page.contains("<script>"), "no inline script under the CSP");

        let map = viewer.get(&format!("/networks/{id}/map.json")).await;
        assert_eq!(map.status, StatusCode::OK);
        assert!(
            map.headers[header::CONTENT_TYPE]
                .to_str()
                .expect("type")
                .starts_with("application/json")
        );
        let map = map.json();
        let entities = map["entities"].as_array().expect("entities");
        let index = |wanted: &str| {
            entities
                .iter()
                .position(|e| e["id"] == wanted)
                .unwrap_or_else(|| panic!("{wanted} on the map"))
        };
        let nc = &entities[index("iv-plant-nc")];
        assert_eq!(nc["status"], "exposed");
        assert_eq!(nc["kind"], "site");
        assert_eq!(nc["tier"], 0);
        assert!(nc["gap"].as_f64().expect("a gap") < 0.0);
        assert_eq!(entities[index("hosp-mercy")]["status"], "untested");
        assert_eq!(entities[index("edi-hub")]["kind"], "platform");
        let links = map["links"].as_array().expect("links");
        let (nc, east) = (index("iv-plant-nc"), index("dist-east"));
        assert!(
            links
                .iter()
                .any(|l| l["source"] == nc && l["target"] == east && l["count"] == 3),
            "the plant ships three items to the east DC: {links:?}"
        );
        let edi = index("edi-hub");
        assert!(
            links
                .iter()
                .any(|l| l["source"] == edi && l["target"] == east && l["dependency"] == true)
        );

        // The panel: the scenario as the entity page shows it.
        let panel = viewer
            .get(&format!("/networks/{id}/map/entities/iv-plant-nc"))
            .await;
        assert_eq!(panel.status, StatusCode::OK);
        let panel = panel.json();
        assert_eq!(panel["status"], "exposed");
        assert_eq!(
            panel["href"],
            format!("/networks/{id}/entities/iv-plant-nc")
        );
        let entity_page = viewer
            .get(&format!("/networks/{id}/entities/iv-plant-nc"))
            .await
            .text();
        let tts = panel["scenario"]["tts"].as_str().expect("tts");
        assert!(
            entity_page.contains(&format!(">{tts}</dd>")),
            "{tts} as the entity page has it"
        );
        assert!(
            !panel["scenario"]["lost"]
                .as_array()
                .expect("lost")
                .is_empty()
        );
        assert!(
            !panel["scenario"]["reroute"]
                .as_array()
                .expect("reroute")
                .is_empty()
        );
        let hospital = viewer
            .get(&format!("/networks/{id}/map/entities/hosp-mercy"))
            .await
            .json();
        assert!(hospital.get("scenario").is_none());
        let missing = viewer
            .get(&format!("/networks/{id}/map/entities/no-such-entity"))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.text().contains("no-such-entity"));
        assert_eq!(
            viewer.get(&format!("/networks/{id}?page=x")).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            viewer
                .post_form(&format!("/networks/{id}"), &[])
                .await
                .status,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}

#[tokio::test]
async fn another_organisation_finds_no_map_and_no_session_goes_to_the_login() {
    for app in apps().await {
        app.user("north", "ada", Role::Admin).await;
        app.user("south", "sam", Role::Admin).await;
        let ada = Browser::login(&app, "ada").await;
        let id = iv_fluids(&ada).await;
        let sam = Browser::login(&app, "sam").await;
        for path in [
            format!("/networks/{id}"),
            format!("/networks/{id}/map.json"),
            format!("/networks/{id}/map/entities/iv-plant-nc"),
        ] {
            assert_eq!(sam.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
            let anonymous = app.send(Method::GET, &path, None, None).await;
            assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
            assert!(location(&anonymous).starts_with("/login?next="), "{path}");
        }
        assert!(
            sam.get("/networks/nope/map.json")
                .await
                .text()
                .contains("nope")
        );
    }
}

#[tokio::test]
async fn the_map_library_and_script_are_embedded() {
    let app = apps().await.remove(0);
    for (path, needle) in [
        ("/assets/vendor/cytoscape/cytoscape.min.js", "cytoscape"),
        ("/assets/map.js", "map.json"),
        ("/assets/map.css", "#supply-map"),
    ] {
        let reply = app.send(Method::GET, path, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.text().contains(needle), "{path}");
    }
    let outside = app
        .send(Method::GET, "/assets/vendor/../app.css", None, None)
        .await;
    assert_ne!(outside.status, StatusCode::OK);
}
