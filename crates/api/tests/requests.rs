//! Requests to the applicant: made by staff who may work leads, mailed through the
//! outbox, answered once through the link with words and files; documents stored only
//! when recorded; the outbox keeping mail through a failing mailer.

mod support;

use leads_domain::LeadId;
use leads_persistence::outbox;
use serde_json::json;
use support::desk::{asked, desk, only_in, status_of, Desk};
use support::multipart::post_form;
use support::TestApp;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// The token in the newest mail about `lead`, the mail, and its body as sent.
fn link_in_mail(desk: &Desk, lead: LeadId) -> (String, outbox::MailRow, String) {
    let institution = desk.app.institution_id("acme");
    let mail = outbox::list(&mut desk.app.conn(), institution, None, None, 50)
        .expect("the outbox")
        .into_iter()
        .find(|m| m.lead_id == Some(lead.0))
        .expect("a message about the lead");
    assert!(
        !mail.body.contains("/respond/"),
        "a link is stored in the clear"
    );
    let body = desk
        .app
        .state
        .keys
        .cipher
        .decrypt(&mail.body)
        .expect("a body sealed with the server's key");
    let at = body.find("/respond/").expect("a link in the message");
    let token: String = body[at + "/respond/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (token, mail, body)
}

fn stored_files(app: &TestApp) -> usize {
    let dir = app.data_dir.path().join("documents");
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

async fn requests_are_for_workers_on_leads_not_archived(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let all = [
        "in_progress",
        "submitted",
        "approved",
        "declined",
        "converted",
        "closed",
    ];
    only_in(&desk, &all, "requests", Some(&asked())).await?;

    let id = desk.walk_in("submitted");
    let refused = desk
        .viewer
        .lead_action(id, "requests", Some(&asked()), None)
        .await;
    assert_eq!(status_of(&refused), Some(403));

    let stale = desk.manager.lead(id).await?.version;
    let me = json!({ "assignee": desk.manager_id });
    desk.manager
        .lead_action(id, "assign", Some(&me), None)
        .await?;
    let refused = desk
        .manager
        .lead_action(id, "requests", Some(&asked()), Some(stale))
        .await;
    assert_eq!(status_of(&refused), Some(412));

    for bad in [
        json!({ "title": "", "description": "x" }),
        json!({ "title": "x", "description": "" }),
        json!({ "title": "x", "description": "y", "due_on": "2001-01-01" }),
        json!({ "title": "x", "description": "y", "due_on": "tomorrow" }),
        json!({ "title": "x", "description": "y", "status": "answered" }),
    ] {
        let refused = desk
            .manager
            .lead_action(id, "requests", Some(&bad), None)
            .await;
        assert_eq!(status_of(&refused), Some(422), "{bad}");
    }
    let lead = desk.manager.lead(id).await?;
    assert!(lead.requests.is_empty(), "refused requests left a record");
    assert!(lead.waiting_since.is_none());

    desk.manager
        .lead_action(id, "archive", None::<&()>, None)
        .await?;
    let refused = desk
        .manager
        .lead_action(id, "requests", Some(&asked()), None)
        .await;
    assert_eq!(status_of(&refused), Some(409));
    Ok(())
}

on_both_databases!(requests_are_for_workers_on_leads_not_archived);

async fn the_applicant_answers_once_through_the_mailed_link(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.walk_in("submitted");
    let requested = desk
        .manager
        .lead_action(id, "requests", Some(&asked()), None)
        .await?;
    let request = &requested.requests[0];
    assert_eq!(request.status, "open");
    assert_eq!(requested.timeline[0].action, "request.made");
    assert!(requested.waiting_since.is_some());
    let link_expiry = request.link_expires_at.expect("an expiry");
    let hours = (link_expiry - request.created_at).num_hours();
    assert_eq!(hours, 72);

    let (token, mail, body) = link_in_mail(&desk, id);
    assert_eq!(mail.status, "pending");
    assert_eq!(
        mail.recipient,
        requested.applicant.email.clone().unwrap_or_default()
    );
    assert!(body.contains("Proof of income"));
    assert!(
        body.contains(&desk.app.base),
        "the link leads to this server"
    );

    let public = reqwest::get(format!("{}/api/v1/public/requests/{token}", desk.app.base)).await?;
    assert_eq!(public.status(), 200);
    let public: serde_json::Value = public.json().await?;
    assert_eq!(public["title"], "Proof of income");
    assert_eq!(public["status"], "open");
    assert!(public.get("lead_id").is_none(), "the page reveals no ids");

    let unknown = reqwest::get(format!(
        "{}/api/v1/public/requests/not-a-token",
        desk.app.base
    ))
    .await?;
    assert_eq!(unknown.status(), 404);

    let answer_url = format!("{}/api/v1/public/requests/{token}/answer", desk.app.base);
    let (status, _) = post_form(&answer_url, None, &[("answer", "")], &[]).await;
    assert_eq!(status, 422, "an empty answer is refused");
    let (status, body) = post_form(
        &answer_url,
        None,
        &[("answer", "Attached.")],
        &[("../../stub.html", b"<html><script>x</script></html>")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("\"file\""), "{body}");
    assert_eq!(stored_files(&desk.app), 0, "a refused file was kept");
    let (status, _) = post_form(&answer_url, None, &[("answer", "x"), ("lead", "1")], &[]).await;
    assert_eq!(status, 422, "unknown parts are refused");
    let plain = reqwest::Client::new()
        .post(&answer_url)
        .json(&json!({ "answer": "x" }))
        .send()
        .await?;
    assert_eq!(plain.status(), 415);

    let (status, body) = post_form(
        &answer_url,
        None,
        &[("answer", "Here are my stubs.")],
        &[("scans/2026/stub.pdf", PDF)],
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(stored_files(&desk.app), 1);

    let lead = desk.manager.lead(id).await?;
    assert_eq!(lead.requests[0].status, "answered");
    assert_eq!(
        lead.requests[0].answer.as_deref(),
        Some("Here are my stubs.")
    );
    assert!(lead.waiting_since.is_none(), "nothing is owed any more");
    assert_eq!(lead.documents.len(), 1);
    let document = &lead.documents[0];
    assert_eq!(document.file_name, "stub.pdf");
    assert_eq!(document.content_type, "application/pdf");
    assert_eq!(document.uploaded_by, "applicant");
    assert_eq!(document.request_id, Some(lead.requests[0].id));
    assert_eq!(document.size_bytes, PDF.len() as i64);
    assert_eq!(lead.timeline[0].action, "request.answered");
    assert_eq!(lead.timeline[0].actor.kind, "applicant");

    let (status, _) = post_form(&answer_url, None, &[("answer", "again")], &[]).await;
    assert_eq!(status, 409, "a request is answered once");

    let path = format!("/api/v1/leads/{}/documents/{}", id.0, document.id);
    let tokens = desk
        .app
        .client
        .login("viewer@acme.org", support::PASSWORD)
        .await?;
    let download = reqwest::Client::new()
        .get(format!("{}{path}", desk.app.base))
        .bearer_auth(&tokens.access_token)
        .send()
        .await?;
    assert_eq!(download.status(), 200);
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(disposition, "attachment; filename=\"stub.pdf\"");
    assert_eq!(download.bytes().await?.as_ref(), PDF);

    desk.app.institution("other");
    let outsider = desk.app.staff("other", "owner@other.org", "owner").await;
    let foreign = outsider.lead(id).await;
    assert_eq!(foreign.err().and_then(|e| e.status()), Some(404));
    let tokens = desk
        .app
        .client
        .login("owner@other.org", support::PASSWORD)
        .await?;
    let stolen = reqwest::Client::new()
        .get(format!("{}{path}", desk.app.base))
        .bearer_auth(&tokens.access_token)
        .send()
        .await?;
    assert_eq!(stolen.status(), 404, "another institution's document");
    Ok(())
}

on_both_databases!(the_applicant_answers_once_through_the_mailed_link);

async fn an_expired_link_answers_gone_and_stores_nothing(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.walk_in("in_progress");
    desk.manager
        .lead_action(id, "requests", Some(&asked()), None)
        .await?;
    let (token, _, _) = link_in_mail(&desk, id);
    {
        use diesel::prelude::*;
        use leads_persistence::schema::lead_requests;
        let past = leads_persistence::time::now() - chrono::TimeDelta::hours(1);
        diesel::update(lead_requests::table.filter(lead_requests::lead_id.eq(id.0)))
            .set(lead_requests::token_expires_at.eq(past))
            .execute(&mut desk.app.conn())?;
    }
    let public = reqwest::get(format!("{}/api/v1/public/requests/{token}", desk.app.base)).await?;
    assert_eq!(public.status(), 410);
    let answer_url = format!("{}/api/v1/public/requests/{token}/answer", desk.app.base);
    let (status, _) = post_form(&answer_url, None, &[("answer", "late")], &[("a.pdf", PDF)]).await;
    assert_eq!(status, 410);
    assert_eq!(stored_files(&desk.app), 0);
    let lead = desk.manager.lead(id).await?;
    assert_eq!(lead.requests[0].status, "open");
    assert!(lead.documents.is_empty());
    Ok(())
}

on_both_databases!(an_expired_link_answers_gone_and_stores_nothing);

async fn staff_add_documents_checked_by_content(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.walk_in("submitted");
    let url = format!("{}/api/v1/leads/{}/documents", desk.app.base, id.0);
    let manager = desk
        .app
        .client
        .login("manager@acme.org", support::PASSWORD)
        .await?;
    let viewer = desk
        .app
        .client
        .login("viewer@acme.org", support::PASSWORD)
        .await?;

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let (status, _) = post_form(&url, Some(&viewer.access_token), &[], &[("id.png", png)]).await;
    assert_eq!(status, 403);
    let (status, _) = post_form(&url, Some(&manager.access_token), &[], &[]).await;
    assert_eq!(status, 422, "no file");
    let (status, _) = post_form(
        &url,
        Some(&manager.access_token),
        &[],
        &[("id.png", png), ("fake.pdf", b"MZ\x90\0 not a pdf")],
    )
    .await;
    assert_eq!(status, 422, "one bad file refuses all");
    assert_eq!(stored_files(&desk.app), 0);
    let big = vec![b'%'; 2 * 1024 * 1024];
    let (status, _) = post_form(&url, Some(&manager.access_token), &[], &[("big.pdf", &big)]).await;
    assert_eq!(status, 413);
    assert_eq!(stored_files(&desk.app), 0);

    let (status, body) =
        post_form(&url, Some(&manager.access_token), &[], &[("id.png", png)]).await;
    assert_eq!(status, 201, "{body}");
    let lead = desk.manager.lead(id).await?;
    assert_eq!(lead.documents.len(), 1);
    assert_eq!(lead.documents[0].content_type, "image/png");
    assert_eq!(lead.documents[0].uploaded_by, "staff");
    assert_eq!(
        lead.documents[0].sha256,
        leads_api::storage::sha256_hex(png)
    );
    assert_eq!(lead.timeline[0].action, "document.added");
    Ok(())
}

on_both_databases!(staff_add_documents_checked_by_content);

async fn the_outbox_keeps_mail_through_a_failing_mailer(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.walk_in("submitted");
    desk.manager
        .lead_action(id, "requests", Some(&asked()), None)
        .await?;
    let from: lettre::message::Mailbox = "Leads <no-reply@leads.invalid>".parse()?;

    // A mail directory that cannot be made: a file is in its place.
    let blocked = desk.app.data_dir.path().join("blocked");
    std::fs::write(&blocked, b"not a directory")?;
    let cipher = desk.app.state.keys.cipher.clone();
    let failing =
        leads_api::mail::Mailer::to_files(&blocked.join("mail"), from.clone(), cipher.clone());
    let pass = failing.deliver_due(&mut desk.app.conn())?;
    assert_eq!(pass.failed, 1);
    let (_, mail, _) = link_in_mail(&desk, id);
    assert_eq!(
        mail.status, "pending",
        "a failed message is kept for another try"
    );
    assert_eq!(mail.attempts, 1);
    assert!(mail.last_error.is_some());
    assert!(mail.next_attempt_at > leads_persistence::time::now());
    let again = failing.deliver_due(&mut desk.app.conn())?;
    assert_eq!(again.failed, 0, "not tried again before its time");

    desk.app.staff("acme", "owner@acme.org", "owner").await;
    let listed = desk
        .app
        .raw_json("owner@acme.org", "/api/v1/mail?status=pending")
        .await;
    assert_eq!(listed["items"][0]["attempts"], 1);
    assert!(listed["items"][0]["last_error"].is_string());
    let (status, _, _) = desk.app.raw_get("manager@acme.org", "/api/v1/mail").await;
    assert_eq!(status, 403);

    // Its time comes, and a working mailer delivers it.
    {
        use diesel::prelude::*;
        use leads_persistence::schema::email_outbox;
        diesel::update(email_outbox::table)
            .set(email_outbox::next_attempt_at.eq(leads_persistence::time::now()))
            .execute(&mut desk.app.conn())?;
    }
    let dir = desk.app.data_dir.path().join("mail");
    let working = leads_api::mail::Mailer::to_files(&dir, from.clone(), cipher);
    let pass = working.deliver_due(&mut desk.app.conn())?;
    assert_eq!(pass.sent, 1);
    let (token, mail, _) = link_in_mail(&desk, id);
    assert_eq!(mail.status, "sent");
    assert_eq!(mail.attempts, 2);
    let files: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path())?;
    assert!(eml.contains("Subject: "));
    assert!(eml.contains(&token), "the file carries the link");

    // A message failing its every attempt is marked failed, listed, and can be sent again.
    desk.manager
        .lead_action(id, "requests", Some(&asked()), None)
        .await?;
    for _ in 0..leads_api::mail::ATTEMPTS {
        {
            use diesel::prelude::*;
            use leads_persistence::schema::email_outbox;
            diesel::update(email_outbox::table.filter(email_outbox::status.eq("pending")))
                .set(email_outbox::next_attempt_at.eq(leads_persistence::time::now()))
                .execute(&mut desk.app.conn())?;
        }
        failing.deliver_due(&mut desk.app.conn())?;
    }
    let failed = desk
        .app
        .raw_json("owner@acme.org", "/api/v1/mail?status=failed")
        .await;
    let failed_id = failed["items"][0]["id"].as_i64().expect("a failed message");
    assert_eq!(failed["items"][0]["attempts"], leads_api::mail::ATTEMPTS);
    let (status, _) = desk
        .app
        .raw_post(
            "owner@acme.org",
            &format!("/api/v1/mail/{failed_id}/retry"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(working.deliver_due(&mut desk.app.conn())?.sent, 1);
    let (status, _) = desk
        .app
        .raw_post(
            "owner@acme.org",
            &format!("/api/v1/mail/{failed_id}/retry"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 409, "a sent message is not sent again");
    Ok(())
}

on_both_databases!(the_outbox_keeps_mail_through_a_failing_mailer);

async fn links_lead_home_last_until_due_and_close_with_the_lead(
    app: TestApp,
) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.walk_in("submitted");

    // A forged Host or forwarding header does not choose where the link leads.
    let tokens = desk
        .app
        .client
        .login("manager@acme.org", support::PASSWORD)
        .await?;
    let sent = reqwest::Client::new()
        .post(format!("{}/api/v1/leads/{}/requests", desk.app.base, id.0))
        .bearer_auth(&tokens.access_token)
        .header("host", "evil.example/phish?")
        .header("x-forwarded-host", "evil2.example")
        .header("forwarded", "host=evil3.example;proto=https")
        .json(&asked())
        .send()
        .await?;
    assert_eq!(sent.status(), 201);
    let (_, _, body) = link_in_mail(&desk, id);
    assert!(!body.contains("evil"), "{body}");

    // A due date later than the link's lifetime keeps the link working until then.
    let due = chrono::Utc::now().date_naive() + chrono::TimeDelta::days(10);
    let later = json!({ "title": "Bank statement", "description": "Last month's.", "due_on": due });
    let lead = desk
        .manager
        .lead_action(id, "requests", Some(&later), None)
        .await?;
    let expires = lead.requests[1].link_expires_at.expect("an expiry");
    assert!(expires.date_naive() > due, "{expires} ends before {due}");
    let far = json!({ "title": "x", "description": "y", "due_on": "2099-01-01" });
    let refused = desk
        .manager
        .lead_action(id, "requests", Some(&far), None)
        .await;
    assert_eq!(status_of(&refused), Some(422));

    // Archiving closes the link for reading as well as answering.
    let (token, _, _) = link_in_mail(&desk, id);
    desk.manager
        .lead_action(id, "archive", None::<&()>, None)
        .await?;
    let public = reqwest::get(format!("{}/api/v1/public/requests/{token}", desk.app.base)).await?;
    assert_eq!(public.status(), 410);

    // An applicant without an address mail can reach is not asked.
    let unreachable = desk.walk_in("submitted");
    {
        use diesel::prelude::*;
        use leads_persistence::schema::leads;
        diesel::update(leads::table.filter(leads::id.eq(unreachable.0)))
            .set(leads::applicant_email.eq("x@example.org>"))
            .execute(&mut desk.app.conn())?;
    }
    let refused = desk
        .manager
        .lead_action(unreachable, "requests", Some(&asked()), None)
        .await;
    assert_eq!(status_of(&refused), Some(409));
    Ok(())
}

on_both_databases!(links_lead_home_last_until_due_and_close_with_the_lead);
