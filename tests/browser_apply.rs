//! The borrower's side in headless Chromium, on SQLite and PostgreSQL: an application
//! started, left, resumed and submitted; the widget embedded in another site, and kept
//! out of a site that is not allowed; staff filling in an application for a member. A
//! failing test leaves a screenshot in `target/browser-screenshots/`.

#[macro_use]
#[path = "browser_fixture.rs"]
mod fixture;

use fixture::*;

async fn a_borrower_applies_leaves_resumes_and_submits(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    // An address naming something not offered says so, and offers no start.
    b.open("/apply/demo/no-such-loan").await?;
    b.sees("This is not something offered here.").await?;
    anyhow::ensure!(
        !b.text().await?.contains("Start application"),
        "a start offered for nothing"
    );
    b.click("See what is offered").await?;
    b.sees("Apply with").await?;
    b.click("Personal Loan").await?;
    b.sees("Apply for Personal Loan").await?;
    b.sees("with Demo Federal Credit Union").await?;
    b.click("Start application").await?;
    b.sees("About you").await?;
    b.fill("Full name", "Robin Resume").await?;
    b.fill("Email", "robin@example.org").await?;
    b.click("Continue").await?;
    b.sees("Your loan").await?;
    b.fill("Amount", "12000").await?;
    b.fill("Term in months", "36").await?;
    b.click("Continue").await?;
    b.sees("Employment and income").await?;

    // Leave, and come back later in the same browser: the application resumes.
    b.open("/apply/demo").await?;
    b.sees("Apply with").await?;
    b.open("/apply/demo/personal-loan").await?;
    b.sees("Employment and income").await?;

    // Or in another browser, through the link mailed on request.
    b.click("Email me a link to continue later").await?;
    b.sees("We have emailed you a link").await?;
    let link = portal
        .mailed_link("/apply/demo/personal-loan#resume=")
        .await?;
    b.client
        .execute("window.localStorage.clear();", vec![])
        .await?;
    b.open("/apply/demo").await?;
    b.open(&link).await?;
    b.sees("Employment and income").await?;
    anyhow::ensure!(
        !b.address().await?.contains("resume"),
        "the token stays in the address"
    );
    b.click("Back").await?;
    b.sees("Your loan").await?;
    let amount = b.control("Amount").await?.prop("value").await?;
    anyhow::ensure!(
        amount.as_deref() == Some("12000"),
        "the amount given before: {amount:?}"
    );
    b.click("Continue").await?;
    b.fill("Annual income", "64000").await?;
    b.click("Continue").await?;
    b.sees("Housing").await?;

    // Submitting without a required answer says what is missing.
    b.click("Submit application").await?;
    b.sees("Some answers are still needed").await?;
    b.sees("This is required.").await?;
    b.sees("Please give your consent to continue.").await?;
    b.choose("Housing", "Rent").await?;
    b.click("I would like to hear about payment protection")
        .await?;
    b.click(
        "I authorize Demo Federal Credit Union to obtain my credit report, and I have read \
         the privacy notice and agree to receive documents electronically",
    )
    .await?;
    b.click("Submit application").await?;
    b.sees("Thank you. Your application").await?;
    b.screenshot("application-submitted").await?;

    // Staff find it among unregistered borrowers, with its progress and answers.
    b.open("/").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    let registered = names(&b.settled_rows("Leads").await?);
    anyhow::ensure!(
        !registered.contains(&"Robin Resume".to_string()),
        "an unregistered applicant in the default table"
    );
    b.choose("Borrower", "Unregistered").await?;
    b.until("the applicant among unregistered borrowers", || async {
        let rows = names(&b.rows("Leads").await.unwrap_or_default());
        Ok(rows.contains(&"Robin Resume".to_string()).then_some(()))
    })
    .await?;
    b.click("Robin Resume").await?;
    b.sees("Public link").await?;
    b.sees("$12,000").await?;
    Ok(())
}

in_the_browser!(a_borrower_applies_leaves_resumes_and_submits);

/// Serves `html` as every page on a port of its own, standing for another web site.
fn another_site(html: String) -> anyhow::Result<String> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let origin = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0_u8; 4096];
            let _ = stream.read(&mut request);
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Ok(origin)
}

async fn the_widget_embeds_the_application_only_where_allowed(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    let page = format!(
        "<!doctype html><html><body><h1>Partner bank</h1>\
         <script src=\"{}/widget.js\" data-institution=\"demo\" data-item=\"personal-loan\"></script>\
         </body></html>",
        portal.server.base
    );
    let allowed = another_site(page.clone())?;
    let refused = another_site(page)?;
    let tokens = portal
        .server
        .client()
        .login(OWNER, &portal.owner_password)
        .await?;
    let set = reqwest::Client::new()
        .put(format!("{}/api/v1/embed-origins", portal.server.base))
        .bearer_auth(&tokens.access_token)
        .json(&serde_json::json!({ "origins": [allowed] }))
        .send()
        .await?;
    anyhow::ensure!(set.status() == 200, "allowing the origin: {}", set.status());

    b.client.goto(&allowed).await?;
    b.sees("Partner bank").await?;
    b.until("the frame", || async {
        Ok(b.client.enter_frame(0).await.ok())
    })
    .await?;
    b.click("Start application").await?;
    b.sees("About you").await?;
    b.fill("Full name", "Emma Embedded").await?;
    b.fill("Email", "emma@example.org").await?;
    b.click("Continue").await?;
    b.sees("Your loan").await?;
    b.client.enter_parent_frame().await?;
    let height = b
        .until("the frame to fit its content", || async {
            let height = b
                .client
                .execute(
                    "return document.querySelector('iframe').style.height;",
                    vec![],
                )
                .await?;
            let height = height.as_str().unwrap_or_default().to_string();
            Ok((height != "480px" && height.ends_with("px")).then_some(height))
        })
        .await?;
    b.screenshot("widget-embedded").await?;
    anyhow::ensure!(!height.is_empty(), "no height");

    // Another site, not allowed: the browser refuses to show the page in its frame.
    b.client.goto(&refused).await?;
    b.sees("Partner bank").await?;
    b.client.enter_frame(0).await?;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let shown = b.text().await.unwrap_or_default();
    b.client.enter_parent_frame().await?;
    anyhow::ensure!(
        !shown.contains("Start application") && !shown.contains("Your loan"),
        "a site that is not allowed framed the application: {shown}"
    );
    Ok(())
}

in_the_browser!(the_widget_embeds_the_application_only_where_allowed);

async fn staff_start_fill_and_submit_an_application_for_a_member(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.open("/?q=avery").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    b.click("Avery Autoloan").await?;
    b.click("Member profile").await?;
    b.click("Start application").await?;
    b.sees("New lead").await?;
    let prefilled = b.control("Applicant's name").await?.prop("value").await?;
    anyhow::ensure!(
        prefilled.as_deref() == Some("Avery Autoloan"),
        "the member's name: {prefilled:?}"
    );
    b.choose("Product or service", "Personal Loan").await?;
    b.click("Start lead").await?;
    b.sees("Application form").await?;

    b.fill("Amount", "8000").await?;
    b.fill("Term in months", "24").await?;
    b.fill("Annual income", "50000").await?;
    b.choose("Housing", "Own").await?;
    b.click("Submit for the member").await?;
    b.sees("The member's consent is needed to submit.").await?;
    b.click("The member consents to a credit pull").await?;
    b.click("Submit for the member").await?;
    b.until("the lead submitted", || async {
        let text = b.text().await?;
        Ok(
            (text.contains("Application submitted") && !text.contains("Application form"))
                .then_some(()),
        )
    })
    .await?;
    b.sees("Staff (proxy)").await?;
    b.screenshot("proxy-submitted").await?;
    Ok(())
}

in_the_browser!(staff_start_fill_and_submit_an_application_for_a_member);
