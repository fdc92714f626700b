//! The leads table in headless Chromium, against the real server and the real built
//! portal, on SQLite and PostgreSQL: signing in, filters, search, sorting, pages, deep
//! links and narrow windows. A failing test leaves a screenshot in
//! `target/browser-screenshots/`.

#[macro_use]
#[path = "browser_fixture.rs"]
mod fixture;

use fixture::*;
use leads_domain::lead_query::LeadQuery;

async fn signing_in_shows_registered_leads_and_other_borrowers_on_request(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.control("Sign in").await?;
    let before = b.text().await?;
    anyhow::ensure!(
        !before.contains("Avery Autoloan") && !b.has_control("Leads").await?,
        "data showed before sign-in: {before}"
    );

    b.fill("Email", OWNER).await?;
    b.fill("Password", "not the password").await?;
    b.click("Sign in").await?;
    b.sees("The email or password is not right.").await?;

    b.sign_in(OWNER, &portal.owner_password).await?;
    let rows = b.settled_rows("Leads").await?;
    anyhow::ensure!(rows.len() == 50, "a first page of 50, got {}", rows.len());
    b.sees(&format!("{} leads", DEMO_LEADS + 2)).await?;
    let shown = names(&rows);
    anyhow::ensure!(
        !shown
            .iter()
            .any(|n| n == "Wanda Walkin" || n == "Uma Unverified"),
        "unregistered borrowers in the default table: {shown:?}"
    );

    b.choose("Borrower", "Unregistered").await?;
    b.sees("2 leads").await?;
    let mut unregistered = names(&b.settled_rows("Leads").await?);
    unregistered.sort();
    anyhow::ensure!(
        unregistered == ["Uma Unverified", "Wanda Walkin"],
        "unregistered: {unregistered:?}"
    );
    anyhow::ensure!(b.address().await?.contains("borrower=unregistered"));

    b.choose("Borrower", "All").await?;
    b.sees(&format!("{} leads", DEMO_LEADS + 4)).await?;
    Ok(())
}

in_the_browser!(signing_in_shows_registered_leads_and_other_borrowers_on_request);

async fn filtering_by_status_and_product_narrows_the_table(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;

    b.click("Declined").await?;
    let declined = portal
        .api_total(LeadQuery {
            status: Some("declined".into()),
            ..LeadQuery::default()
        })
        .await?;
    anyhow::ensure!(declined > 0, "the demo holds declined applications");
    b.sees(&format!("{declined} leads")).await?;
    let statuses = column(&b.settled_rows("Leads").await?, 2);
    anyhow::ensure!(
        statuses.iter().all(|s| s == "Declined"),
        "statuses: {statuses:?}"
    );
    anyhow::ensure!(b.address().await?.contains("status=declined"));

    b.click("Declined").await?;
    b.choose("Product or service", "Auto Loan").await?;
    b.sees("2 leads").await?;
    let rows = b.settled_rows("Leads").await?;
    let mut shown = names(&rows);
    shown.sort();
    anyhow::ensure!(
        shown == ["Avery Autoloan", "Sally Submitted"],
        "rows: {rows:?}"
    );
    anyhow::ensure!(column(&rows, 1) == ["Auto Loan", "Auto Loan"]);
    Ok(())
}

in_the_browser!(filtering_by_status_and_product_narrows_the_table);

async fn searching_finds_a_borrower_by_name_and_by_reference(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(OWNER, &portal.owner_password).await?;
    let rows = b.settled_rows("Leads").await?;
    let someone = names(&rows)[7].clone();

    b.fill("Search", &someone).await?;
    b.click("Find").await?;
    b.until("a search result", || async {
        let rows = b.settled_rows("Leads").await?;
        Ok((rows.len() < 50).then_some(()))
    })
    .await?;
    let found = names(&b.settled_rows("Leads").await?);
    anyhow::ensure!(
        !found.is_empty() && found.iter().all(|n| n == &someone),
        "searched {someone:?}, found {found:?}"
    );
    anyhow::ensure!(b.address().await?.contains("q="));

    let reference = {
        let tokens = portal.server.client().login(MANAGER, PASSWORD).await?;
        let staff = portal.server.client().with_token(tokens.access_token);
        let page = staff
            .leads(&LeadQuery {
                q: Some(someone.clone()),
                ..LeadQuery::default()
            })
            .await?;
        page.items[0].reference.clone()
    };
    b.fill("Search", &reference).await?;
    b.click("Find").await?;
    b.until("the lead found by its reference", || async {
        let rows = b.settled_rows("Leads").await?;
        Ok((rows.len() == 1 && rows[0][0] == someone).then_some(()))
    })
    .await?;

    b.fill("Search", "nobody-is-called-this").await?;
    b.click("Find").await?;
    b.sees("No leads match.").await?;
    Ok(())
}

in_the_browser!(searching_finds_a_borrower_by_name_and_by_reference);

async fn sorting_by_amount_and_name_orders_the_rows(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;

    b.click("Amount").await?;
    b.until("the amount sort in the address", || async {
        Ok(b.address().await?.contains("sort=-amount").then_some(()))
    })
    .await?;
    let amounts: Vec<f64> = column(&b.settled_rows("Leads").await?, 4)
        .iter()
        .filter_map(|c| dollars(c))
        .collect();
    anyhow::ensure!(amounts.len() > 10, "amounts: {amounts:?}");
    anyhow::ensure!(
        amounts.windows(2).all(|w| w[0] >= w[1]),
        "not descending: {amounts:?}"
    );

    b.click("Member").await?;
    b.until("the name sort in the address", || async {
        Ok(b.address().await?.contains("sort=name").then_some(()))
    })
    .await?;
    let shown = names(&b.settled_rows("Leads").await?);
    let mut sorted = shown.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    anyhow::ensure!(
        shown.first().map(|n| n.to_lowercase()) == sorted.first().map(|n| n.to_lowercase()),
        "by name: {shown:?}"
    );
    Ok(())
}

in_the_browser!(sorting_by_amount_and_name_orders_the_rows);

async fn paging_forward_and_back_and_with_the_browser_history(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;
    b.choose("Rows per page", "25").await?;
    let first = b
        .until("a page of 25", || async {
            let rows = b.settled_rows("Leads").await?;
            Ok((rows.len() == 25).then_some(rows))
        })
        .await?;

    b.click("Next →").await?;
    let second = b
        .until("the second page", || async {
            let rows = b.settled_rows("Leads").await?;
            Ok((rows != first).then_some(rows))
        })
        .await?;
    anyhow::ensure!(second.len() == 25);
    anyhow::ensure!(
        names(&second).iter().all(|n| !names(&first).contains(n)) || first[0] != second[0],
        "the second page repeats the first"
    );

    b.click("← Previous").await?;
    b.until("the first page again", || async {
        Ok((b.settled_rows("Leads").await? == first).then_some(()))
    })
    .await?;

    b.client.back().await?;
    b.until("the second page from history", || async {
        Ok((b.settled_rows("Leads").await? == second).then_some(()))
    })
    .await?;
    Ok(())
}

in_the_browser!(paging_forward_and_back_and_with_the_browser_history);

async fn a_deep_link_reloads_into_the_same_view_and_session(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.open("/?status=declined&sort=name&limit=25").await?;
    b.sign_in(OWNER, &portal.owner_password).await?;
    let rows = b.settled_rows("Leads").await?;
    anyhow::ensure!(column(&rows, 2).iter().all(|s| s == "Declined"));

    b.client.refresh().await?;
    let again = b.settled_rows("Leads").await?;
    anyhow::ensure!(again == rows, "after a reload the table differs");
    anyhow::ensure!(
        b.has_control("Sign out").await?,
        "the reload lost the session"
    );
    anyhow::ensure!(
        b.address().await?.contains("status=declined"),
        "the reload lost the filter"
    );
    let checked = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('fieldset input:checked'))
                 .map(i => i.parentElement.textContent.trim());",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        checked == serde_json::json!(["Declined"]),
        "checked: {checked}"
    );
    Ok(())
}

in_the_browser!(a_deep_link_reloads_into_the_same_view_and_session);

async fn the_table_fits_a_1024_pixel_window_and_works_by_keyboard(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.client.set_window_size(1024, 768).await?;
    b.sign_in(OWNER, &portal.owner_password).await?;
    b.settled_rows("Leads").await?;
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        overflow.as_i64() == Some(0),
        "the page scrolls sideways by {overflow} px at 1024"
    );
    let clipped = b
        .client
        .execute(
            "const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth;",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        clipped.as_i64() == Some(0),
        "the table needs {clipped} px more than a 1024 px window gives"
    );
    b.screenshot("leads-table-1024").await?;

    // Tab from the search box to the first filter, then choose with the keyboard.
    let search = b.control("Search").await?;
    search.send_keys("Avery\u{E007}").await?;
    b.until("the search applied by Enter", || async {
        Ok(b.address().await?.contains("q=Avery").then_some(()))
    })
    .await?;
    let focused = b
        .client
        .execute(
            "const s = document.querySelector('[aria-label=\"Search\"]'); s.focus();
             return getComputedStyle(s).outlineStyle;",
            vec![],
        )
        .await?;
    anyhow::ensure!(focused != serde_json::json!("none"), "focus is not visible");
    Ok(())
}

in_the_browser!(the_table_fits_a_1024_pixel_window_and_works_by_keyboard);
