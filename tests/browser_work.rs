//! Leads, members and the work on them in headless Chromium, on SQLite and PostgreSQL:
//! a lead and its member, what a viewer is offered, signing out, a manager taking a lead
//! from note to product, and bulk work. A failing test leaves a screenshot in
//! `target/browser-screenshots/`.

#[macro_use]
#[path = "browser_fixture.rs"]
mod fixture;

use fixture::*;

async fn a_lead_opens_with_its_member_and_leads_back_to_the_same_table(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.open("/?borrower=all&q=avery").await?;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;
    b.click("Avery Autoloan").await?;
    b.sees("Applicant").await?;
    b.sees("Auto Loan").await?;
    b.sees("$15,000").await?;
    b.sees("Timeline").await?;
    anyhow::ensure!(b.address().await?.starts_with("/leads/"));
    b.screenshot("lead-detail").await?;

    b.click("Member profile").await?;
    b.sees("Products held").await?;
    let leads = b.rows("Member's leads").await?;
    anyhow::ensure!(
        leads.len() == 1 && leads[0][1] == "Auto Loan",
        "member's leads: {leads:?}"
    );
    b.client.back().await?;
    b.click("← Back to the table").await?;
    b.until("the filtered table", || async {
        Ok((b.address().await? == "/?borrower=all&q=avery").then_some(()))
    })
    .await?;

    b.click("Members").await?;
    b.fill("Search", "Avery").await?;
    b.click("Find").await?;
    let found = b
        .until("the member found", || async {
            let rows = b.settled_rows("Members").await?;
            Ok((rows.len() == 1 && rows[0][0] == "Avery Autoloan").then_some(()))
        })
        .await;
    if let Err(error) = found {
        anyhow::bail!("{error:#}, at {}", b.address().await?);
    }
    b.click("Avery Autoloan").await?;
    b.sees("Registered").await?;
    Ok(())
}

in_the_browser!(a_lead_opens_with_its_member_and_leads_back_to_the_same_table);

async fn a_viewer_is_offered_no_write_actions(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(MANAGER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    anyhow::ensure!(b.has_control("New lead").await?, "a manager starts leads");
    b.click("Sign out").await?;

    b.sign_in(VIEWER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    anyhow::ensure!(
        !b.has_control("New lead").await?,
        "a viewer was offered New lead"
    );
    let on_table = buttons(b).await?;
    let reading = [
        "Find",
        "Clear filters",
        "← Previous",
        "Next →",
        "Sign out",
        "Member",
        "Amount",
        "Started",
        "Last updated",
        "Summary",
        "Save view",
    ];
    anyhow::ensure!(
        on_table.iter().all(|t| reading.contains(&t.as_str())),
        "a viewer was offered {on_table:?} on the table"
    );

    b.click("Summary of Avery Autoloan").await?;
    b.sees("Lead summary").await?;
    b.sees("Open the full lead").await?;
    for write in ["Assign", "Add note", "Send request", "Approve", "Archive"] {
        anyhow::ensure!(
            !b.has_control(write).await?,
            "a viewer was offered {write} in a summary"
        );
    }
    b.click("Close summary").await?;

    b.click("Avery Autoloan").await?;
    b.sees("Timeline").await?;
    let on_lead = buttons(b).await?;
    anyhow::ensure!(
        on_lead.iter().all(|t| t == "Sign out"),
        "a viewer was offered {on_lead:?} on a lead"
    );
    b.open("/leads/new").await?;
    b.sees("You may not start leads for members.").await?;
    Ok(())
}

in_the_browser!(a_viewer_is_offered_no_write_actions);

async fn signing_out_ends_the_session_for_good(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;
    b.click("Avery Autoloan").await?;
    b.sees("Timeline").await?;
    b.click("Sign out").await?;
    b.sees("You have signed out.").await?;
    b.control("Sign in").await?;
    // Back to the lead the user was reading: still signed out.
    b.client.back().await?;
    b.control("Sign in").await?;
    anyhow::ensure!(
        !b.has_control("Sign out").await?,
        "Back showed a signed-in page"
    );
    b.client.refresh().await?;
    b.control("Sign in").await?;
    anyhow::ensure!(!b.has_control("Leads").await?, "the table is still there");
    Ok(())
}

in_the_browser!(signing_out_ends_the_session_for_good);

async fn a_manager_works_a_lead_from_note_to_product_then_archives_it(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    let tokens = portal.server.client().login(MANAGER, PASSWORD).await?;
    let me = portal
        .server
        .client()
        .with_token(tokens.access_token)
        .me()
        .await?;
    b.open("/?q=sally").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    b.click("Sally Submitted").await?;
    b.sees("Work this lead").await?;

    b.choose("Assign to", &me.user.name).await?;
    b.click("Assign").await?;
    b.sees(&format!("to {}", me.user.name)).await?;

    b.fill("Note", "Called the member; pay stubs on their way.")
        .await?;
    b.click("Add note").await?;
    b.sees("Called the member; pay stubs on their way.").await?;
    let lead_page = b.address().await?;

    b.fill("Request title", "Proof of income").await?;
    b.fill("What is needed", "Your two most recent pay stubs.")
        .await?;
    b.fill("Upload prompt", "Pay stubs").await?;
    b.click("Send request").await?;
    b.sees("Waiting").await?;

    // The applicant follows the link in the mail the server wrote.
    let link = portal.mailed_link("/respond/").await?;
    b.open(&link).await?;
    b.sees("Proof of income").await?;
    b.fill("Your answer", "Both stubs attached.").await?;
    let stub = portal.env.data_dir.path().join("pay-stub.pdf");
    std::fs::write(
        &stub,
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    )?;
    b.control("Attach files")
        .await?
        .send_keys(&stub.to_string_lossy())
        .await?;
    b.click("Send answer").await?;
    b.sees("Thank you").await?;
    b.screenshot("request-answered").await?;

    b.open(&lead_page).await?;
    b.sees("Both stubs attached.").await?;
    b.sees("pay-stub.pdf").await?;
    b.sees("Answered").await?;

    b.click("Approve").await?;
    b.click("Confirm approval").await?;
    b.control("Convert").await?;
    anyhow::ensure!(
        !b.has_control("Decline").await?,
        "an approved lead still offers a decline"
    );
    b.fill("Rate (%)", "6.5").await?;
    b.fill("Term (months)", "60").await?;
    b.click("Convert").await?;
    b.sees("Lead converted").await?;
    b.screenshot("lead-worked").await?;

    b.click("Member profile").await?;
    let products = b
        .until("the new product on the member", || async {
            if !b.text().await?.contains("Products held") {
                return Ok(None);
            }
            let rows = b.rows("Products held").await.unwrap_or_default();
            Ok((!rows.is_empty()).then_some(rows))
        })
        .await?;
    anyhow::ensure!(
        products
            .iter()
            .any(|p| p[0] == "Auto loan" && p[2] == "6.50%" && p[3] == "60 months"),
        "products held: {products:?}"
    );

    b.client.back().await?;
    b.click("Archive").await?;
    b.click("Confirm archive").await?;
    b.sees("This lead is archived").await?;
    for gone in [
        "Assign",
        "Approve",
        "Convert",
        "Close lead",
        "Archive",
        "Send request",
    ] {
        anyhow::ensure!(
            !b.has_control(gone).await?,
            "{gone} is offered on an archived lead"
        );
    }
    Ok(())
}

in_the_browser!(a_manager_works_a_lead_from_note_to_product_then_archives_it);

async fn bulk_archiving_selected_rows_and_counting_all_matching(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(MANAGER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    b.click("Select Avery Autoloan").await?;
    b.sees("1 lead selected.").await?;
    b.click(&format!("Select all {} matching", DEMO_LEADS + 2))
        .await?;
    b.sees(&format!(
        "All {} matching leads are selected.",
        DEMO_LEADS + 2
    ))
    .await?;
    b.click("Clear selection").await?;

    b.choose("Borrower", "Unregistered").await?;
    b.sees("2 leads").await?;
    b.settled_rows("Leads").await?;
    b.click("Select all on this page").await?;
    b.sees("2 leads selected.").await?;
    b.click("Archive selected").await?;
    b.click("Confirm archive").await?;
    b.sees("Changed 2.").await?;
    b.sees("No leads match.").await?;

    b.choose("Archived", "Only archived").await?;
    let rows = b.settled_rows("Leads").await?;
    let mut archived = names(&rows);
    archived.sort();
    anyhow::ensure!(
        archived == ["Uma Unverified", "Wanda Walkin"],
        "archived: {archived:?}"
    );
    Ok(())
}

in_the_browser!(bulk_archiving_selected_rows_and_counting_all_matching);

async fn a_shared_view_and_a_summary_work_from_the_table(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    let tokens = portal.server.client().login(MANAGER, PASSWORD).await?;
    let me = portal
        .server
        .client()
        .with_token(tokens.access_token)
        .me()
        .await?;
    b.open("/?status=submitted&sort=submitted_at").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    let submitted = names(&b.settled_rows("Leads").await?);
    anyhow::ensure!(submitted == ["Sally Submitted"], "submitted: {submitted:?}");

    b.click("Save view").await?;
    b.fill("View name", "Submitted queue").await?;
    b.click("Share with the institution").await?;
    b.click("Save").await?;
    b.control("Submitted queue").await?;

    b.click("Summary of Sally Submitted").await?;
    b.sees("Lead summary").await?;
    // The keyboard stays in the dialog: the table behind it cannot be reached.
    let landed = b.tab(25).await?;
    anyhow::ensure!(
        landed.iter().all(|(_, inside)| *inside),
        "focus left the summary: {landed:?}"
    );
    b.choose("Assign to", &me.user.name).await?;
    b.click("Assign").await?;
    b.sees("Lead assigned").await?;
    b.click("Close summary").await?;
    let rows = b
        .until("the table to show the assignment", || async {
            let rows = b.rows("Leads").await.unwrap_or_default();
            Ok(rows
                .iter()
                .any(|r| r.iter().any(|cell| cell == &me.user.name))
                .then_some(rows))
        })
        .await?;
    anyhow::ensure!(rows.len() == 1, "rows: {rows:?}");
    b.click("Sign out").await?;

    b.sign_in(VIEWER, PASSWORD).await?;
    b.settled_rows("Leads").await?;
    b.click("Submitted queue").await?;
    let shared = b
        .until("the shared view to apply", || async {
            let address = b.address().await?;
            if !address.contains("status=submitted") {
                return Ok(None);
            }
            Ok(Some(names(&b.settled_rows("Leads").await?)))
        })
        .await?;
    anyhow::ensure!(shared == ["Sally Submitted"], "shared view: {shared:?}");
    Ok(())
}

in_the_browser!(a_shared_view_and_a_summary_work_from_the_table);
