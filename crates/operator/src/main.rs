//! `operator`: provision a stage from config/portfolio.toml, and move an org between stores.
//!
//!   operator plan   [--file F] (--data DIR | --table NAME | --stage STAGE) [--prune]
//!   operator apply  [--file F] (--data DIR | --table NAME | --stage STAGE) [--prune]
//!   operator export --org ID (--data ... ) [--out FILE]
//!   operator import [--in FILE] (--data ... )
//!   operator migrate-vessels (--data ... ) [--dry-run]
//!
//! Only wiring: the work is in the library (crates/operator/src/lib.rs).

use clap::{Args, Parser, Subcommand};
use domain::OrgId;
use domain::ports::Store;
use operator::{OperatorError, apply, plan_for, read_portfolio, render_plan, transfer};
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "operator",
    about = "Provision a stage's orgs and first people from the portfolio file; export and import an org."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what apply would change, and change nothing.
    Plan(Provision),
    /// Create missing orgs and members, update changed fields; delete only with --prune.
    Apply(Provision),
    /// Write one org's records as JSON lines (a backup, or a move to another stage).
    Export {
        #[command(flatten)]
        target: Target,
        /// The org to export.
        #[arg(long)]
        org: String,
        /// Where to write; standard output by default.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read an export and write it into the target store (validated whole first; idempotent).
    Import {
        #[command(flatten)]
        target: Target,
        /// The export to read; standard input by default.
        #[arg(long = "in")]
        input: Option<PathBuf>,
    },
    /// Give every free-text vessel name of older events a vessel record in its org and link the
    /// events to it (idempotent).
    MigrateVessels {
        #[command(flatten)]
        target: Target,
        /// Print what would be created and linked, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args)]
struct Provision {
    #[command(flatten)]
    target: Target,
    /// The portfolio file.
    #[arg(long, default_value = "config/portfolio.toml")]
    file: PathBuf,
    /// Also remove members of the file's orgs that the file does not name (orgs are never deleted).
    #[arg(long)]
    prune: bool,
}

/// Which store: exactly one of these.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Target {
    /// The embedded store of `make dev` (its data folder, e.g. `.data`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// A DynamoDB table, by name (region and credentials from the usual AWS environment).
    #[arg(long)]
    table: Option<String>,
    /// A deployed stage: the table named in the outputs `make deploy STAGE=...` wrote.
    #[arg(long)]
    stage: Option<String>,
}

/// Where the stage's outputs file is (`make deploy` writes it); only read with --stage.
fn outputs_file(stage: &str) -> PathBuf {
    std::env::var_os("OPERATOR_OUTPUTS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| operator::default_outputs(stage))
}

async fn open(target: &Target) -> Result<Box<dyn Store>, OperatorError> {
    if let Some(dir) = &target.data {
        let store = store_embedded::EmbeddedStore::open(&dir.join("store")).map_err(|e| {
            OperatorError::Target(format!(
                "cannot open the embedded store in {}: {e} (is `make dev` running? stop it first)",
                dir.display()
            ))
        })?;
        return Ok(Box::new(store));
    }
    let table = match (&target.table, &target.stage) {
        (Some(table), _) => table.clone(),
        (None, Some(stage)) => operator::table_from_outputs(stage, &outputs_file(stage))?,
        (None, None) => {
            return Err(OperatorError::Target(
                "name a store: --data, --table or --stage".into(),
            ));
        }
    };
    let sdk = aws_env::load().await;
    Ok(Box::new(store_dynamodb::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
    )))
}

async fn run(cli: Cli) -> Result<(), OperatorError> {
    let now = chrono::Utc::now();
    match cli.command {
        Command::Plan(p) => {
            let portfolio = read_portfolio(&p.file)?;
            let store = open(&p.target).await?;
            let plan = plan_for(&*store, &portfolio, p.prune, now).await?;
            print!("{}", render_plan(&plan, &p.file.display().to_string()));
        }
        Command::Apply(p) => {
            let portfolio = read_portfolio(&p.file)?;
            let store = open(&p.target).await?;
            let plan = plan_for(&*store, &portfolio, p.prune, now).await?;
            print!("{}", render_plan(&plan, &p.file.display().to_string()));
            if !plan.is_empty() {
                let n = apply(&*store, &plan).await?;
                println!("Applied {n} change{}.", if n == 1 { "" } else { "s" });
            }
        }
        Command::Export { target, org, out } => {
            let org = OrgId::parse(&org)
                .map_err(|e| OperatorError::Target(format!("--org {org}: {e}")))?;
            let store = open(&target).await?;
            let counts = match &out {
                Some(path) => {
                    let file =
                        std::fs::File::create(path).map_err(|source| OperatorError::Write {
                            path: path.display().to_string(),
                            source,
                        })?;
                    transfer::export(&*store, &org, now, &mut BufWriter::new(file)).await
                }
                None => transfer::export(&*store, &org, now, &mut std::io::stdout().lock()).await,
            }
            .map_err(|e| OperatorError::Target(format!("export of {org}: {e}")))?;
            eprintln!(
                "exported {org}: 1 org, {} members, {} vessels, {} events, {} unsubscribes",
                counts.members, counts.vessels, counts.events, counts.unsubscribes
            );
        }
        Command::Import { target, input } => {
            let export = match &input {
                Some(path) => {
                    let file = std::fs::File::open(path).map_err(|source| OperatorError::Read {
                        path: path.display().to_string(),
                        source,
                    })?;
                    transfer::read_export(BufReader::new(file), &path.display().to_string())?
                }
                None => transfer::read_export(std::io::stdin().lock(), "(standard input)")?,
            };
            let store = open(&target).await?;
            let counts = transfer::import(&*store, &export, now).await?;
            println!(
                "imported {}: org {}, {} members, {} vessels, {} events, {} unsubscribes written; {} already there (kept)",
                export.org.id,
                if counts.org_created {
                    "created"
                } else {
                    "kept as it was"
                },
                counts.members,
                counts.vessels,
                counts.events,
                counts.unsubscribes,
                counts.already_there
            );
        }
        Command::MigrateVessels { target, dry_run } => {
            let store = open(&target).await?;
            let done = operator::vessels::migrate_vessels(&*store, now, dry_run).await?;
            let verb = if dry_run { "would create" } else { "created" };
            for (org, name, kind) in &done.vessels_created {
                println!("{org}: {verb} the {kind:?} {name:?}");
            }
            println!(
                "{} org{}: {} vessel record{} {verb}, {} event{} {}linked, {} changed meanwhile (run again)",
                done.orgs,
                if done.orgs == 1 { "" } else { "s" },
                done.vessels_created.len(),
                if done.vessels_created.len() == 1 {
                    ""
                } else {
                    "s"
                },
                done.events_linked,
                if done.events_linked == 1 { "" } else { "s" },
                if dry_run { "would be " } else { "" },
                done.events_skipped
            );
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("operator: {e}");
            ExitCode::FAILURE
        }
    }
}
