//! `vitrine staff add <email> --role marketer|admin` and `vitrine staff list`.
//!
//! The password is never an argument (it would land in shell history and `ps`): on a terminal
//! it is prompted twice without echo; otherwise the first line of standard input is the
//! password, so scripts and tests can pipe it in.

use super::{Actor, NewStaff, Role, StaffError};
use crate::db;
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a staff account. The password (at least 12 characters) is prompted, or read from
    /// the first line of standard input when that is not a terminal.
    Add {
        /// The email the person signs in with.
        email: String,
        /// marketer (experiments, dashboard, prices) or admin (also staff management).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List the staff accounts: email, role, status, created.
    List,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?}: use marketer or admin"))
}

pub async fn run(command: StaffCommand, database_url: &str) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { email, role } => {
            let password = read_password(&email)?;
            let new = NewStaff::parse(&email, role.key(), password).map_err(plain)?;
            let email = new.email.clone();
            let pool = db::connect(database_url).await?;
            super::add(&pool, new, &Actor::CommandLine, db::now())
                .await
                .map_err(plain)?;
            println!("Added {} {}", role.key(), email.as_str());
        }
        StaffCommand::List => {
            let pool = db::connect(database_url).await?;
            let now = db::now();
            println!("{:<40} {:<9} {:<9} created", "email", "role", "status");
            for s in super::list(&pool).await? {
                let status = if s.disabled {
                    "disabled"
                } else if super::lockout::minutes_left(s.locked_until, now).is_some() {
                    "locked"
                } else {
                    "active"
                };
                let created = crate::http::seo_routes::iso_date(s.created_at);
                println!(
                    "{:<40} {:<9} {:<9} {created}",
                    s.email,
                    s.role.key(),
                    status
                );
            }
        }
    }
    Ok(())
}

/// The user-facing sentence, without an error chain around it.
fn plain(e: StaffError) -> anyhow::Error {
    match e {
        StaffError::Unavailable(inner) => inner,
        other => anyhow::anyhow!("{other}"),
    }
}

fn read_password(email: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {email}: "))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was added"
        );
        return Ok(first);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
