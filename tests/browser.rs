//! The lender portal in headless Chromium, against the real server and the real built
//! portal, on SQLite and PostgreSQL. A failing test leaves a screenshot in
//! `target/browser-screenshots/`.

use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::{NewApplicant, NewLead};
use leads_e2e::browser::{self, Browser};
use leads_e2e::{Backend, Env, Server};

const PASSWORD: &str = "correct horse battery staple";
const OWNER: &str = "owner@demo.example.org";
const MANAGER: &str = "manager@demo.example.org";
const VIEWER: &str = "viewer@demo.example.org";
/// The demo's imported applications are all registered members'.
const DEMO_LEADS: usize = 97;

/// A server holding the demo's real applications plus a few started by staff, and a
/// browser on the sign-in page.
struct Portal {
    browser: Browser,
    server: Server,
    owner_password: String,
    _env: Env,
}

impl Portal {
    async fn start(backend: Backend) -> anyhow::Result<Option<Self>> {
        if !browser::available() {
            return Ok(None);
        }
        let Some(env) = Env::new(backend) else {
            return Ok(None);
        };
        let demo = env.run(&["demo", "--no-serve"], "")?;
        anyhow::ensure!(demo.status.success(), "demo failed: {demo:?}");
        let printed = String::from_utf8_lossy(&demo.stdout).into_owned();
        let owner_password = printed
            .lines()
            .find_map(|line| line.trim().strip_prefix("Password"))
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| anyhow::anyhow!("no password in {printed}"))?
            .to_string();
        for (email, role) in [(MANAGER, "manager"), (VIEWER, "viewer")] {
            let made = env.create_user("demo", email, role, PASSWORD)?;
            anyhow::ensure!(made.status.success(), "user create failed: {made:?}");
        }
        let server = env.serve(&["serve"])?;

        let tokens = server.client().login(MANAGER, PASSWORD).await?;
        let manager = server.client().with_token(tokens.access_token);
        for (name, item, verified) in [
            ("Wanda Walkin", "personal-loan", false),
            ("Uma Unverified", "personal-loan", false),
            ("Avery Autoloan", "auto-loan", true),
            ("Sally Submitted", "auto-loan", true),
        ] {
            let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
            manager
                .create_lead(&NewLead {
                    item: item.into(),
                    applicant: NewApplicant {
                        name: name.into(),
                        email,
                        phone: None,
                        date_of_birth: None,
                        address: None,
                        ssn: None,
                        authenticated: verified,
                    },
                    amount: Some(15000.0),
                    term_months: None,
                    answers: Default::default(),
                })
                .await?;
        }

        // A borrower's own submission arrives through the applicant's side; here the
        // application is marked submitted in the database.
        {
            use diesel::RunQueryDsl;
            let pool = leads_persistence::build_pool(env.db.url(), &Default::default());
            let mut conn = pool.get()?;
            diesel::sql_query(
                "UPDATE leads SET status = 'submitted' WHERE applicant_name = 'Sally Submitted'",
            )
            .execute(&mut *conn)?;
        }

        let browser = Browser::start(&server.base).await?;
        browser.open("/").await?;
        Ok(Some(Self {
            browser,
            server,
            owner_password,
            _env: env,
        }))
    }

    async fn api_total(&self, query: LeadQuery) -> anyhow::Result<i64> {
        let tokens = self.server.client().login(MANAGER, PASSWORD).await?;
        let staff = self.server.client().with_token(tokens.access_token);
        Ok(staff.leads(&query).await?.total)
    }
}

/// Runs a scenario on both databases; a failure saves a screenshot first.
macro_rules! in_the_browser {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;

            async fn run(backend: Backend, name: &str) -> anyhow::Result<()> {
                let Some(portal) = Portal::start(backend).await? else {
                    return Ok(());
                };
                let outcome = super::$scenario(&portal).await;
                if let Err(error) = &outcome {
                    let logged = portal.browser.errors().await.unwrap_or_default();
                    if !logged.is_empty() {
                        eprintln!("{name}: the page logged {logged:#?}");
                    }
                    match portal.browser.screenshot(name).await {
                        Ok(path) => {
                            eprintln!("{name} failed: {error:#}; screenshot {}", path.display())
                        }
                        Err(shot) => eprintln!("{name} failed: {error:#}; no screenshot: {shot}"),
                    }
                }
                let Portal { browser, .. } = portal;
                browser.close().await;
                outcome
            }

            #[tokio::test]
            async fn on_sqlite() -> anyhow::Result<()> {
                run(Backend::Sqlite, concat!(stringify!($scenario), "-sqlite")).await
            }

            #[tokio::test]
            async fn on_postgres() -> anyhow::Result<()> {
                run(
                    Backend::Postgres,
                    concat!(stringify!($scenario), "-postgres"),
                )
                .await
            }
        }
    };
}

/// The member column: the first cell with text (a checkbox cell comes first for users
/// who may work leads).
fn names(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            row.iter()
                .find(|c| !c.is_empty())
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

fn column(rows: &[Vec<String>], index: usize) -> Vec<String> {
    rows.iter()
        .map(|row| row.get(index).cloned().unwrap_or_default())
        .collect()
}

fn dollars(cell: &str) -> Option<f64> {
    cell.trim_start_matches('$').replace(',', "").parse().ok()
}

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
    ];
    anyhow::ensure!(
        on_table.iter().all(|t| reading.contains(&t.as_str())),
        "a viewer was offered {on_table:?} on the table"
    );

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

/// The text of every button on the page.
async fn buttons(b: &Browser) -> anyhow::Result<Vec<String>> {
    let found = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('button')).map(x =>
                 Array.from(x.childNodes).filter(n => !(n.getAttribute && n.getAttribute('aria-hidden')))
                     .map(n => n.textContent).join('').trim());",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
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
    for gone in ["Assign", "Approve", "Convert", "Close lead", "Archive"] {
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
