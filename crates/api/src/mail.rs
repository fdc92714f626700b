//! Sending the mail outbox.
//!
//! Changes that mail someone add the message to the outbox in their own transaction;
//! the mailer sends what is due afterwards. With `LEADS_SMTP_URL` it speaks SMTP to that
//! relay, over TLS or STARTTLS when the address asks for it; without, it writes each
//! message as an `.eml` file under `data_dir/mail`, so a first run needs no mail server.
//! A failed attempt is kept with its error and tried again later, with growing waits;
//! after the last attempt the message is marked `failed` and stays listed until staff
//! send it again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use leads_persistence::outbox::{self, MailRow};
use leads_persistence::{DbConnection, Pool, StoreError};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::keys::Cipher;

/// How many attempts a message gets before it is marked failed.
pub const ATTEMPTS: i32 = 8;
/// The wait after the first failure; each further failure doubles it, up to an hour.
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 3600;
/// How often the background mailer looks for due messages.
const POLL: Duration = Duration::from_secs(2);
/// Messages sent per look.
const BATCH: i64 = 50;

enum Way {
    Files(PathBuf),
    Smtp(Box<SmtpTransport>),
}

pub struct Mailer {
    way: Way,
    from: Mailbox,
    /// Bodies are stored encrypted: they carry links that open an applicant's request.
    cipher: Cipher,
}

/// What one pass over the outbox did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

impl Mailer {
    pub fn from_config(config: &Config, cipher: Cipher) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("LEADS_MAIL_FROM: {e}"))?;
        let way = match &config.smtp_url {
            Some(url) => Way::Smtp(Box::new(smtp(&url.0, config.smtp_ca_file.as_deref())?)),
            None => Way::Files(config.data_dir.join("mail")),
        };
        Ok(Self { way, from, cipher })
    }

    /// A mailer that writes `.eml` files into `dir`.
    pub fn to_files(dir: &Path, from: Mailbox, cipher: Cipher) -> Self {
        Self {
            way: Way::Files(dir.to_path_buf()),
            from,
            cipher,
        }
    }

    /// Where `.eml` files go, when they do.
    pub fn mail_dir(&self) -> Option<&Path> {
        match &self.way {
            Way::Files(dir) => Some(dir),
            Way::Smtp(_) => None,
        }
    }

    /// Sends every message that is due, recording each outcome.
    pub fn deliver_due(&self, conn: &mut DbConnection) -> Result<Pass, StoreError> {
        let now = leads_persistence::time::now();
        let mut pass = Pass::default();
        for mail in outbox::due(conn, now, BATCH)? {
            match self.send(&mail) {
                Ok(()) => {
                    outbox::mark_sent(conn, mail.id, leads_persistence::time::now())?;
                    pass.sent += 1;
                }
                Err(error) => {
                    let attempt = mail.attempts + 1;
                    let retry_at = (attempt < ATTEMPTS).then(|| now + wait_after(attempt));
                    // The error stays in the outbox for staff; it may name the recipient,
                    // so it is not logged.
                    tracing::warn!(mail = mail.id, attempt, "mail not sent");
                    outbox::mark_failed(conn, mail.id, &error, retry_at)?;
                    pass.failed += 1;
                }
            }
        }
        Ok(pass)
    }

    fn send(&self, mail: &MailRow) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|_| "the recipient's address cannot receive mail".to_string())?;
        let body = self
            .cipher
            .decrypt(&mail.body)
            .map_err(|_| "the stored message cannot be read with this server's key".to_string())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<outbox-{}@leads>", mail.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the message cannot be built: {e}"))?;
        match &self.way {
            Way::Smtp(transport) => transport
                .send(&message)
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Way::Files(dir) => write_eml(dir, mail.id, &message.formatted())
                .map_err(|e| format!("writing {}: {e}", dir.display())),
        }
    }

    /// Sends due mail every few seconds on a thread of its own, for as long as the
    /// process runs.
    pub fn spawn(self, pool: Pool) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("mailer".into())
            .spawn(move || loop {
                match pool.get() {
                    Ok(mut conn) => {
                        if let Err(error) = self.deliver_due(&mut conn) {
                            tracing::warn!(error = %error, "the mail outbox cannot be read");
                        }
                    }
                    Err(error) => tracing::warn!(error = %error, "no connection for the mailer"),
                }
                std::thread::sleep(POLL);
            })
    }
}

/// How long to wait after failed attempt number `attempt` (from 1).
fn wait_after(attempt: i32) -> TimeDelta {
    let doublings = u32::try_from(attempt - 1).unwrap_or(0).min(16);
    TimeDelta::seconds((FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS))
}

/// Writes a message named by its outbox id, so that writing it twice leaves one file.
fn write_eml(dir: &Path, id: i64, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join(format!("{id:08}.eml"));
    let partial = dir.join(format!(".{id:08}.eml.partial"));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file)
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protection {
    /// `smtp://`: none, for a relay on the same host or a private network.
    Plain,
    /// `smtp://...?tls=required`: STARTTLS, and no mail is sent if the relay does not
    /// offer it.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

/// A transport for `smtp://` or `smtps://`, `[user[:password]@]host[:port]`, with
/// `?tls=required` for STARTTLS. Ports default to 25, 587 with STARTTLS and 465 with
/// TLS. Relays' certificates are checked against the system's roots and, when given,
/// the certificate authorities in `ca_file` (PEM).
pub fn smtp(url: &str, ca_file: Option<&Path>) -> anyhow::Result<SmtpTransport> {
    let (mut protection, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
        (Protection::Tls, rest)
    } else if let Some(rest) = url.strip_prefix("smtp://") {
        (Protection::Plain, rest)
    } else {
        anyhow::bail!("LEADS_SMTP_URL must start with smtp:// or smtps://");
    };
    let rest = match rest.split_once('?') {
        None => rest,
        Some((rest, "tls=required")) if protection == Protection::Plain => {
            protection = Protection::StartTls;
            rest
        }
        Some((_, query)) => {
            anyhow::bail!(
                "LEADS_SMTP_URL: '?{query}' is not understood (only ?tls=required with smtp://)"
            )
        }
    };
    let rest = rest.trim_end_matches('/');
    let (credentials, server) = match rest.rsplit_once('@') {
        Some((user, server)) => (Some(user), server),
        None => (None, rest),
    };
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse::<u16>().map_err(|_| {
                anyhow::anyhow!("LEADS_SMTP_URL: the port {port:?} is not a number")
            })?,
        ),
        None => (
            server,
            match protection {
                Protection::Plain => 25,
                Protection::StartTls => 587,
                Protection::Tls => 465,
            },
        ),
    };
    anyhow::ensure!(!host.is_empty(), "LEADS_SMTP_URL names no host");
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(20)));
    if protection != Protection::Plain {
        let mut tls = TlsParameters::builder(host.to_string());
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("LEADS_SMTP_CA_FILE {}: {e}", path.display()))?;
            let authority = Certificate::from_pem(&pem)
                .map_err(|e| anyhow::anyhow!("LEADS_SMTP_CA_FILE {}: {e}", path.display()))?;
            tls = tls.add_root_certificate(authority);
        }
        let tls = tls
            .build()
            .map_err(|e| anyhow::anyhow!("LEADS_SMTP_URL: {e}"))?;
        builder = builder.tls(match protection {
            Protection::StartTls => Tls::Required(tls),
            _ => Tls::Wrapper(tls),
        });
    }
    if let Some(user) = credentials {
        let (name, password) = user.split_once(':').unwrap_or((user, ""));
        builder = builder.credentials(Credentials::new(
            decode(name).into_owned(),
            decode(password).into_owned(),
        ));
    }
    Ok(builder.build())
}

/// Undoes the percent-encoding a URL's user part may carry.
fn decode(text: &str) -> std::borrow::Cow<'_, str> {
    form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map_or(std::borrow::Cow::Borrowed(text), |(_, v)| {
            std::borrow::Cow::Owned(v.into_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_half_a_minute_up_to_an_hour() {
        assert_eq!(wait_after(1), TimeDelta::seconds(30));
        assert_eq!(wait_after(2), TimeDelta::seconds(60));
        assert_eq!(wait_after(4), TimeDelta::seconds(240));
        assert_eq!(wait_after(8), TimeDelta::seconds(3600));
        assert_eq!(wait_after(40), TimeDelta::seconds(3600));
    }

    #[test]
    fn smtp_urls_are_read_or_refused() {
        assert!(smtp("smtp://relay.example:2525", None).is_ok());
        assert!(smtp("smtp://user:p%40ss@relay.example", None).is_ok());
        assert!(smtp("smtps://relay.example", None).is_ok());
        assert!(smtp("smtp://relay.example:587?tls=required", None).is_ok());
        assert!(smtp("smtps://relay.example?tls=required", None).is_err());
        assert!(smtp("smtp://relay.example?tls=maybe", None).is_err());
        assert!(smtp("http://relay.example", None).is_err());
        assert!(smtp("smtp://relay.example:abc", None).is_err());
        assert!(smtp("smtp://", None).is_err());
        let missing = Path::new("/nonexistent/ca.pem");
        assert!(smtp("smtps://relay.example", Some(missing)).is_err());
        assert_eq!(decode("p%40ss"), "p@ss");
        assert_eq!(decode("a+b"), "a+b");
    }
}
