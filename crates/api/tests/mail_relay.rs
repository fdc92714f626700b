//! Mail leaves through a relay: over TLS from the first byte (`smtps://`), or after
//! STARTTLS (`?tls=required`), with the relay's certificate checked. A relay whose
//! certificate is not trusted, or one that does not offer STARTTLS when it is required,
//! gets nothing; the message stays in the outbox with the reason.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use leads_api::config::Secret;
use leads_api::mail::Mailer;
use leads_persistence::outbox::{self, NewMail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use support::{Backend, TestApp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn relay_tls() -> Arc<rustls::ServerConfig> {
    let chain = CertificateDer::pem_file_iter(fixture("smtp-relay.pem"))
        .expect("the relay's certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("a certificate");
    let key = PrivateKeyDer::from_pem_file(fixture("smtp-relay.key")).expect("the relay's key");
    Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("a server configuration"),
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Relay {
    /// TLS from the first byte.
    Tls,
    /// Plain until the client asks for STARTTLS.
    StartTls,
    /// Plain only: STARTTLS is not offered.
    PlainOnly,
}

/// One line from the client, without its line end; `None` when the connection ends.
fn line(stream: &mut impl Read) -> Option<String> {
    let mut bytes = Vec::new();
    let mut byte = [0_u8];
    loop {
        match stream.read(&mut byte) {
            Ok(1) => {}
            _ => return None,
        }
        if byte[0] == b'\n' {
            let text = String::from_utf8_lossy(&bytes);
            return Some(text.trim_end_matches('\r').to_string());
        }
        bytes.push(byte[0]);
    }
}

/// The SMTP conversation after the greeting: what the client sent as the message, if
/// it sent one. `starttls` offers STARTTLS and stops when the client takes it up.
fn converse(stream: &mut (impl Read + Write), starttls: bool) -> Option<String> {
    let mut message = None;
    while let Some(command) = line(stream) {
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" if starttls => b"250-relay.test\r\n250 STARTTLS\r\n",
            "EHLO" | "HELO" => b"250 relay.test\r\n",
            "STARTTLS" if starttls => {
                stream.write_all(b"220 go ahead\r\n").ok()?;
                return Some("STARTTLS".into());
            }
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
            "DATA" => {
                stream.write_all(b"354 go on\r\n").ok()?;
                let mut text = String::new();
                loop {
                    let next = line(stream)?;
                    if next == "." {
                        break;
                    }
                    text.push_str(&next);
                    text.push('\n');
                }
                message = Some(text);
                b"250 queued\r\n"
            }
            "QUIT" => {
                stream.write_all(b"221 bye\r\n").ok()?;
                return message;
            }
            _ => b"502 not here\r\n",
        };
        stream.write_all(answer).ok()?;
    }
    message
}

/// Starts a relay that takes one connection: its port, and the message it received.
fn relay(kind: Relay) -> (u16, JoinHandle<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let handle = std::thread::spawn(move || {
        let (mut plain, _) = listener.accept().ok()?;
        plain
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .ok()?;
        let secure = |plain: TcpStream| {
            let session = rustls::ServerConnection::new(relay_tls()).expect("a TLS session");
            rustls::StreamOwned::new(session, plain)
        };
        match kind {
            Relay::Tls => {
                let mut tls = secure(plain);
                tls.write_all(b"220 relay.test ready\r\n").ok()?;
                converse(&mut tls, false)
            }
            Relay::StartTls => {
                plain.write_all(b"220 relay.test ready\r\n").ok()?;
                converse(&mut plain, true)?;
                let mut tls = secure(plain);
                converse(&mut tls, false)
            }
            Relay::PlainOnly => {
                plain.write_all(b"220 relay.test ready\r\n").ok()?;
                converse(&mut plain, false)
            }
        }
    });
    (port, handle)
}

/// Puts one message in acme's outbox and has a mailer for `url` deliver it: what the
/// pass did, the relay's copy, and the outbox's record of the message.
async fn deliver(
    app: &TestApp,
    url: String,
    ca: Option<PathBuf>,
    kind: Relay,
) -> (leads_api::mail::Pass, Option<String>, outbox::MailRow) {
    let (port, received) = relay(kind);
    let mut config = (*app.state.config).clone();
    config.smtp_url = Some(Secret(url.replace("{port}", &port.to_string())));
    config.smtp_ca_file = ca;
    let cipher = app.state.keys.cipher.clone();
    let mailer = Mailer::from_config(&config, cipher.clone()).expect("a mailer");
    let institution = app.institution_id("acme");
    let body = cipher
        .encrypt("Your reference is LD-TLS-1.")
        .expect("sealed");
    let mail = NewMail::to(institution, None, "pat@example.org", "Hello", &body);
    let mut conn = app.conn();
    outbox::insert(&mut conn, &mail).expect("queued");
    let pass = mailer
        .deliver_due(&mut conn)
        .expect("a pass over the outbox");
    let copy = received.join().expect("the relay's thread");
    let record = outbox::list(&mut conn, institution, None, None, 1)
        .expect("the outbox")
        .remove(0);
    (pass, copy, record)
}

#[actix_web::test]
async fn mail_goes_to_the_relay_over_tls_or_not_at_all() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    app.institution("acme");
    let ca = Some(fixture("smtp-ca.pem"));

    let (pass, copy, record) = deliver(
        &app,
        "smtps://127.0.0.1:{port}".into(),
        ca.clone(),
        Relay::Tls,
    )
    .await;
    assert_eq!((pass.sent, pass.failed), (1, 0), "{:?}", record.last_error);
    let copy = copy.expect("the relay received the message");
    assert!(copy.contains("Your reference is LD-TLS-1."), "{copy}");
    assert!(copy.contains("Subject: Hello"), "{copy}");
    assert_eq!(record.status, "sent");

    let url = "smtp://127.0.0.1:{port}?tls=required";
    let (pass, copy, _) = deliver(&app, url.into(), ca.clone(), Relay::StartTls).await;
    assert_eq!((pass.sent, pass.failed), (1, 0));
    assert!(copy.expect("received after STARTTLS").contains("LD-TLS-1"));

    // A relay that will not encrypt when encryption is required gets nothing.
    let (pass, copy, record) = deliver(&app, url.into(), ca.clone(), Relay::PlainOnly).await;
    assert_eq!((pass.sent, pass.failed), (0, 1));
    assert_eq!(copy, None, "nothing was sent in the clear");
    assert_eq!(record.status, "pending", "kept to try again");
    assert!(record.last_error.is_some());

    // Without the authority that issued its certificate, the relay is not trusted.
    let (pass, copy, record) =
        deliver(&app, "smtps://127.0.0.1:{port}".into(), None, Relay::Tls).await;
    assert_eq!((pass.sent, pass.failed), (0, 1));
    assert_eq!(copy, None);
    let error = record.last_error.expect("the reason kept");
    assert!(error.starts_with("SMTP:"), "{error}");
    Ok(())
}
