//! The applicant portal in headless Chromium, on SQLite and PostgreSQL: a borrower who
//! applied without an account creates one from the thank-you page, confirms it from the
//! mailed link, finds their application (now among staff's registered leads), answers a
//! request from staff there, and replaces a forgotten password; online banking hands its
//! member over. A failing test leaves a screenshot in `target/browser-screenshots/`.

#[macro_use]
#[path = "browser_fixture.rs"]
mod fixture;

use fixture::*;

const BORROWER_PASSWORD: &str = "my own long passphrase";
const BANKING_KEY: &str = include_str!("../crates/api/tests/fixtures/banking-ec.key");
const BANKING_PUBLIC: &str = include_str!("../crates/api/tests/fixtures/banking-ec.pub");
const BANKING: &str = "https://banking.demo.test";

async fn a_borrower_registers_and_answers_a_request_in_the_portal(
    portal: &Portal,
) -> anyhow::Result<()> {
    let b = &portal.browser;
    b.open("/apply/demo/personal-loan").await?;
    b.click("Start application").await?;
    b.fill("Full name", "Rae Register").await?;
    b.fill("Email", "rae@example.org").await?;
    b.click("Continue").await?;
    b.fill("Amount", "9000").await?;
    b.fill("Term in months", "24").await?;
    b.click("Continue").await?;
    b.fill("Annual income", "58000").await?;
    b.click("Continue").await?;
    b.choose("Housing", "Own").await?;
    b.click(
        "I authorize Demo Federal Credit Union to obtain my credit report, and I have read \
         the privacy notice and agree to receive documents electronically",
    )
    .await?;
    b.click("Submit application").await?;
    b.sees("Thank you. Your application").await?;

    b.click("Follow your application in your account").await?;
    b.sees("The application you just sent will be in your account.")
        .await?;
    anyhow::ensure!(
        !b.address().await?.contains('#'),
        "the application's token stays in the address"
    );
    b.fill("Your name", "Rae Register").await?;
    b.fill("Your email", "rae@example.org").await?;
    b.fill("Choose a password", BORROWER_PASSWORD).await?;
    b.click("Create account").await?;
    b.sees("Check your email").await?;

    let link = portal.mailed_link("/applicant/demo/confirm#").await?;
    b.open(&link).await?;
    b.sees("Confirm your account").await?;
    b.fill("Password", BORROWER_PASSWORD).await?;
    b.click("Confirm account").await?;
    b.sees("Signed in as").await?;
    let mine = b.rows("Your applications").await?;
    anyhow::ensure!(
        mine.len() == 1 && mine[0].iter().any(|c| c.contains("Personal Loan")),
        "the application in the account: {mine:?}"
    );
    b.sees("Submitted").await?;
    b.sees("Nothing is waiting for your answer.").await?;

    // Staff now find the lead among registered borrowers, and ask for a document.
    b.open("/?q=rae%40example.org").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    let rows = names(&b.settled_rows("Leads").await?);
    anyhow::ensure!(rows == ["Rae Register"], "registered leads: {rows:?}");
    b.click("Rae Register").await?;
    b.sees("Work this lead").await?;
    b.fill("Request title", "Proof of income").await?;
    b.fill("What is needed", "Your most recent pay stub.")
        .await?;
    b.click("Send request").await?;
    b.sees("Waiting").await?;

    // The borrower, signed in to the portal, answers it there.
    b.open("/applicant/demo").await?;
    b.sees("Requests for you").await?;
    b.sees("Proof of income").await?;
    b.sees("1 request waiting for you").await?;
    b.screenshot("applicant-portal").await?;
    b.fill("Your answer", "Attached to my email; income is $58,000.")
        .await?;
    b.click("Send answer").await?;
    b.sees("Thank you. Your answer has been sent").await?;
    anyhow::ensure!(
        !b.text().await?.contains("request waiting for you"),
        "the count still shows the answered request"
    );

    // Signing out and in again with the password shows nothing left to answer, and the
    // answered request among those answered.
    b.click("Sign out").await?;
    b.sees("You have signed out.").await?;
    b.fill("Email", "rae@example.org").await?;
    b.fill("Password", BORROWER_PASSWORD).await?;
    b.click("Sign in").await?;
    b.sees("Nothing is waiting for your answer.").await?;
    b.sees("Answered").await?;
    b.sees("Proof of income").await?;

    // Signed in, the borrower changes the password, and is mailed that it changed.
    b.click("Change your password").await?;
    b.fill("Current password", BORROWER_PASSWORD).await?;
    b.fill("New password", "a changed long passphrase").await?;
    b.click("Change password").await?;
    b.sees("Your password has been changed.").await?;
    portal.mailed_link("your password was changed").await?;

    // A forgotten password is replaced through a mailed link.
    b.click("Sign out").await?;
    b.click("Forgot your password?").await?;
    b.fill("Email for the link", "rae@example.org").await?;
    b.click("Send me a link").await?;
    b.sees("we sent it a link to choose a new password").await?;
    let link = portal.mailed_link("/applicant/demo/reset#").await?;
    b.open(&link).await?;
    b.fill("New password", "a newer long passphrase").await?;
    b.click("Save the new password").await?;
    b.sees("Signed in as").await?;
    Ok(())
}

in_the_browser!(a_borrower_registers_and_answers_a_request_in_the_portal);

/// Online banking's hand-over of its signed-in member, signed with its ES256 key.
fn hand_over(member: &str, name: &str, email: &str) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({ "iss": BANKING, "aud": "leads:demo", "sub": member,
        "iat": now, "exp": now + 300, "jti": format!("{member}-{now}"),
        "name": name, "email": email });
    let key = jsonwebtoken::EncodingKey::from_ec_pem(BANKING_KEY.as_bytes())?;
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}

async fn online_banking_hands_its_member_to_the_application(portal: &Portal) -> anyhow::Result<()> {
    let b = &portal.browser;
    let tokens = portal
        .server
        .client()
        .login(OWNER, &portal.owner_password)
        .await?;
    let set = reqwest::Client::new()
        .put(format!("{}/api/v1/online-banking-key", portal.server.base))
        .bearer_auth(&tokens.access_token)
        .json(
            &serde_json::json!({ "algorithm": "ES256", "public_key": BANKING_PUBLIC,
                                   "issuer": BANKING }),
        )
        .send()
        .await?;
    anyhow::ensure!(set.status() == 200, "setting the key: {}", set.status());

    // What widget.js does with `data-online-banking`: the hand-over in the fragment.
    let assertion = hand_over("OB-7001", "Olive Online", "olive@example.org")?;
    b.open(&format!(
        "/apply/demo/personal-loan#online-banking={assertion}"
    ))
    .await?;
    b.click("Start application").await?;
    b.sees("About you").await?;
    let name = b.control("Full name").await?.prop("value").await?;
    anyhow::ensure!(
        name.as_deref() == Some("Olive Online"),
        "prefilled from the member: {name:?}"
    );
    anyhow::ensure!(
        !b.address().await?.contains("online-banking"),
        "the hand-over stays in the address"
    );

    // Staff see the lead among registered borrowers, begun through online banking.
    b.open("/?q=olive%40example.org").await?;
    b.sign_in(MANAGER, PASSWORD).await?;
    let rows = names(&b.settled_rows("Leads").await?);
    anyhow::ensure!(rows == ["Olive Online"], "registered leads: {rows:?}");
    b.click("Olive Online").await?;
    b.sees("Online banking").await?;
    Ok(())
}

in_the_browser!(online_banking_hands_its_member_to_the_application);
