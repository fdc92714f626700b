//! Running the real `leads` binary: as a server on a free port, or as a one-off command.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub use leads_testing::{Backend, TestDb};

pub mod browser;

/// The `leads` binary of the same build as the running executable (a test in `deps/`,
/// or a program beside it), built first when missing.
pub fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let here = exe
        .parent()
        .ok_or_else(|| anyhow::anyhow!("cannot find the target directory"))?;
    let dir = if here.ends_with("deps") {
        here.parent().unwrap_or(here)
    } else {
        here
    };
    let binary = dir.join("leads");
    if !binary.exists() {
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "-p", "leads-api", "--bin", "leads"]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        anyhow::ensure!(build.status()?.success(), "building leads failed");
    }
    Ok(binary)
}

/// An environment for the binary: its own data directory and database.
pub struct Env {
    pub data_dir: tempfile::TempDir,
    pub db: TestDb,
}

impl Env {
    pub fn new(backend: Backend) -> Option<Self> {
        Some(Self {
            data_dir: tempfile::tempdir().ok()?,
            db: TestDb::create(backend)?,
        })
    }

    pub fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let mut command = Command::new(binary()?);
        command
            .args(args)
            .env("LEADS_DATA_DIR", self.data_dir.path())
            .env("DATABASE_URL", self.db.url())
            .env("LEADS_BIND", "127.0.0.1:0")
            .env("LEADS_PORTAL_DIR", browser::portal_dir())
            .env("LEADS_APPLY_DIR", browser::apply_dir())
            .env("LEADS_LOG", "warn");
        Ok(command)
    }

    /// Where a served command's log (its standard error) goes.
    pub fn log_path(&self) -> PathBuf {
        self.data_dir.path().join("server.log")
    }

    /// Runs a command to completion, with `input` on its standard input.
    pub fn run(&self, args: &[&str], input: &str) -> anyhow::Result<Output> {
        let mut child = self
            .command(args)?
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes())?;
        }
        Ok(child.wait_with_output()?)
    }

    /// `leads institution create`.
    pub fn create_institution(&self, slug: &str, name: &str) -> anyhow::Result<Output> {
        self.run(
            &["institution", "create", "--slug", slug, "--name", name],
            "",
        )
    }

    /// `leads user create`, the password on standard input.
    pub fn create_user(
        &self,
        institution: &str,
        email: &str,
        role: &str,
        password: &str,
    ) -> anyhow::Result<Output> {
        let args = [
            "user",
            "create",
            "--institution",
            institution,
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ];
        self.run(&args, &format!("{password}\n"))
    }

    /// Starts a serving command and waits for its address; returns what it printed before.
    pub fn serve(&self, args: &[&str]) -> anyhow::Result<Server> {
        let log = std::fs::File::create(self.log_path())?;
        let mut child = self
            .command(args)?
            .env("LEADS_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            let line = receiver
                .recv_timeout(Duration::from_secs(60))
                .map_err(|_| {
                    anyhow::anyhow!("the server did not start; it printed {printed:#?}")
                })?;
            if let Some(address) = line.strip_prefix("Listening on ") {
                return Ok(Server {
                    base: address.trim().to_string(),
                    printed,
                    child,
                });
            }
            printed.push(line);
        }
    }
}

/// A running `leads` process, stopped when dropped.
pub struct Server {
    pub base: String,
    pub printed: Vec<String>,
    child: Child,
}

impl Server {
    pub fn client(&self) -> leads_client::Client {
        leads_client::Client::new(&self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
