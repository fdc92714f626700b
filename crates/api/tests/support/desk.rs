//! A desk of staff at one institution, for the tests of working leads.

use leads_client::{Client, ClientError};
use leads_domain::wire::LeadDetail;
use leads_domain::LeadId;

use super::{Seed, TestApp};

pub const NO_BODY: Option<&serde_json::Value> = None;

pub struct Desk {
    pub app: TestApp,
    pub manager: Client,
    pub viewer: Client,
    pub manager_id: i64,
}

pub async fn desk(app: TestApp) -> Desk {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let viewer = app.staff("acme", "viewer@acme.org", "viewer").await;
    let manager_id = manager.me().await.expect("me").user.id.0;
    Desk {
        app,
        manager,
        viewer,
        manager_id,
    }
}

impl Desk {
    pub fn lead(&self, status: &'static str) -> LeadId {
        let inst = self.app.institution_id("acme");
        LeadId(self.app.seed(
            inst,
            Seed {
                status,
                ..Seed::new(&format!("Borrower {status} {}", rand_suffix()))
            },
        ))
    }
}

impl Desk {
    /// A lead of an unregistered applicant: requests reach them through a mailed link.
    pub fn walk_in(&self, status: &'static str) -> LeadId {
        let inst = self.app.institution_id("acme");
        LeadId(self.app.seed(
            inst,
            Seed {
                status,
                registered: false,
                ..Seed::new(&format!("Walk-in {status} {}", rand_suffix()))
            },
        ))
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("N{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub fn status_of(result: &Result<LeadDetail, ClientError>) -> Option<u16> {
    result.as_ref().err().and_then(ClientError::status)
}

pub fn problem(result: Result<LeadDetail, ClientError>) -> leads_domain::Problem {
    match result {
        Err(ClientError::Problem(problem)) => problem,
        other => panic!("expected a problem, got {other:?}"),
    }
}

pub async fn timeline_len(client: &Client, id: LeadId) -> usize {
    client.lead(id).await.expect("the lead").timeline.len()
}

/// Runs `action` on a fresh lead in each status, expecting it allowed only in `allowed`.
pub async fn only_in(
    desk: &Desk,
    allowed: &[&'static str],
    action: &str,
    body: Option<&serde_json::Value>,
) -> anyhow::Result<()> {
    for status in [
        "in_progress",
        "submitted",
        "approved",
        "declined",
        "converted",
        "closed",
    ] {
        let id = desk.lead(status);
        let before = timeline_len(&desk.manager, id).await;
        let result = desk.manager.lead_action(id, action, body, None).await;
        if allowed.contains(&status) {
            assert!(result.is_ok(), "{action} from {status}: {result:?}");
            assert_eq!(
                timeline_len(&desk.manager, id).await,
                before + 1,
                "{action}: one entry"
            );
        } else {
            let problem = problem(result);
            assert_eq!(problem.status, 409, "{action} from {status}");
            assert_eq!(problem.current_status.as_deref(), Some(status));
            let after = desk.manager.lead(id).await?;
            assert_eq!(
                after.status.as_str(),
                status,
                "{action} changed a refused lead"
            );
            assert_eq!(
                after.timeline.len(),
                before,
                "{action}: a refusal wrote history"
            );
        }
    }
    Ok(())
}

/// A request to the applicant for a document.
pub fn asked() -> serde_json::Value {
    serde_json::json!({
        "title": "Proof of income",
        "description": "Your two most recent pay stubs, please.",
        "upload_prompt": "Pay stubs (PDF or photo)",
    })
}
