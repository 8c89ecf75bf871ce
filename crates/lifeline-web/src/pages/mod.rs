//! The views: one struct per page, rendered by the template named on it. Every view that
//! sits in the dashboard's frame carries a [`Chrome`]: who is logged in, what they may do,
//! and the CSRF token its forms send back.

pub mod exercises;
pub mod incidents;
mod map;
mod networks;
pub mod partners;
pub mod risk;
mod sim;
mod stress;
mod trace;
mod uploads;
mod vuln;

use askama::Template;

pub use incidents::{
    Choice, Column, DeclareForm, EntryRow, IncidentItem, IncidentPage, IncidentReportPage,
    IncidentsPage, PlaybookItem, ShortRow, TaskCard,
};
pub use map::{LegendRow, MapRow, NetworkPage};
pub use networks::{NetworkItem, NetworkSummary, NetworksPage};
pub use risk::{
    EvidenceRow, LinkRow, QuestionRow, QuestionnaireDone, QuestionnairePage, RegisterRow,
    ReminderRow, RiskPage, Sent, VendorReportPage,
};
pub use sim::{
    EntityOption, FormError, MC_FIELDS, MonteCarloForm, MonteCarloPage, MonteCarloView, RiskRow,
    SIM_FIELDS, ScenarioOption, SimRow, SimView, SimulatePage, TtsView,
};
pub use stress::{
    EntityPage, FirstShort, JobView, LostRow, OVERVIEW_ROWS, OverviewPage, PAGE_ROWS, Reroute,
    ScenarioRow, SortHeader, StressPage, StressTable, TableQuery, entity_href, gap_text,
    simulate_href,
};
pub use trace::{
    EventRow, FieldError, FindingRow, History, HistoryForm, TracePage, VerificationView,
    VerifyForm, query_value, rule_text,
};
pub use uploads::{UploadError, UploadsPage};
pub use vuln::{AdvisoryState, DeviceView, Devices, SbomItem, Scanned, VulnPage, sbom_vendor};

/// Gives views their frame: `chrome_ref`, which `base.html` calls, returns the view's
/// [`Chrome`]. Every page view in the frame names itself here.
#[macro_export]
macro_rules! framed {
    ($($view:ty),* $(,)?) => {$(
        impl $view {
            pub fn chrome_ref(&self) -> Option<&$crate::Chrome> {
                Some(&self.chrome)
            }
        }
    )*};
}

framed!(
    NetworksPage,
    NetworkPage,
    OverviewPage,
    StressPage,
    EntityPage,
    UploadsPage,
    SimulatePage,
    MonteCarloPage,
    TracePage,
    VulnPage,
    RiskPage,
    VendorReportPage,
    IncidentsPage,
    IncidentPage,
    IncidentReportPage,
);

impl LoginPage {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        None
    }
}

impl ErrorPage {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        self.chrome.as_ref()
    }
}

/// The dashboard's sections, as the navigation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Networks,
    Trace,
    Vulnerabilities,
    Risk,
    Incidents,
    Partners,
    Uploads,
}

const TABS: [(Tab, &str, &str); 8] = [
    (Tab::Overview, "/", "Overview"),
    (Tab::Networks, "/networks", "Networks"),
    (Tab::Trace, "/trace", "Traceability"),
    (Tab::Vulnerabilities, "/vulnerabilities", "Vulnerabilities"),
    (Tab::Risk, "/risk", "Vendor risk"),
    (Tab::Incidents, "/incidents", "Incidents"),
    (Tab::Partners, "/partners", "Partners"),
    (Tab::Uploads, "/uploads", "Uploads"),
];

/// One link of the navigation.
#[derive(Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page of the dashboard shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user: String,
    pub org: String,
    /// `admin`, `analyst`, `viewer` or `partner`.
    pub role: String,
    /// Sent back by every form as the `csrf` field.
    pub csrf: String,
    /// Whether the user may upload networks, EPCIS files and SBOMs (analyst and admin).
    pub can_upload: bool,
    pub tab: Tab,
}

impl Chrome {
    pub fn nav(&self) -> Vec<NavLink> {
        TABS.iter()
            .map(|&(tab, href, label)| NavLink {
                href,
                label,
                current: tab == self.tab,
            })
            .collect()
    }

    /// The same chrome in another section.
    pub fn on(&self, tab: Tab) -> Chrome {
        Chrome {
            tab,
            ..self.clone()
        }
    }
}

/// The login form.
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The user name typed last time.
    pub user: String,
    /// Where to go after logging in (a local path).
    pub next: String,
    /// Whether no user exists yet: the page says how to create the first admin.
    pub setup: bool,
    /// Whether the browser will drop the session cookie: it is `Secure`, and this page
    /// came over plain HTTP from a host that is not this machine. The page says so,
    /// rather than logging in and landing back here without a word.
    pub cookie_dropped: bool,
}

/// An error, inside the frame when someone is logged in.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Option<Chrome>,
    pub status: u16,
    pub title: String,
    pub message: String,
}
