//! The operator's command, as a library: make a store's orgs and first people match the portfolio
//! file (`plan`, `apply`), move one org between stores (`export`, `import`), and give the free-text
//! vessels of older events records of their own (`migrate-vessels`).
//!
//! Thin over the domain: the file is parsed and the plan computed by `domain::portfolio`; every
//! read and write goes through the store ports, so the same code runs on the embedded store and
//! on DynamoDB.

pub mod transfer;
pub mod vessels;

use chrono::{DateTime, Utc};
use domain::OrgId;
use domain::org::{Member, OrgScope};
use domain::portfolio::{Change, Plan, Portfolio, PortfolioError, Stored, plan};
use domain::ports::{Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("{0}")]
    Portfolio(#[from] PortfolioError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A step of `apply` failed after `done` changes were written; running it again continues.
    #[error(
        "change {step} ({change}) failed after {done} of {total} were applied: {source}. Run apply again: it continues where this stopped"
    )]
    Apply {
        step: usize,
        done: usize,
        total: usize,
        change: String,
        source: StoreError,
    },
    #[error("{0}")]
    Import(#[from] transfer::ImportError),
    #[error("{0}")]
    Target(String),
}

/// Reads and parses the portfolio file; nothing else happens if it is refused.
pub fn read_portfolio(path: &Path) -> Result<Portfolio, OperatorError> {
    let text = std::fs::read_to_string(path).map_err(|source| OperatorError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Portfolio::parse(&text, &path.display().to_string())?)
}

/// What the store holds of the file's orgs, and the orgs it holds that the file does not name.
pub async fn read_current<S: Store + ?Sized>(
    store: &S,
    portfolio: &Portfolio,
) -> Result<(BTreeMap<OrgId, Stored>, BTreeSet<OrgId>), StoreError> {
    let all = store.list_orgs().await?;
    let mut stored = BTreeMap::new();
    let mut others = BTreeSet::new();
    for org in all {
        if portfolio.org(&org.id).is_none() {
            others.insert(org.id);
            continue;
        }
        let scope = OrgScope::trusted(org.id.clone());
        let members = store.list_members(&scope).await?;
        stored.insert(org.id.clone(), Stored { org, members });
    }
    Ok((stored, others))
}

/// The plan for this store: what `apply` would write.
pub async fn plan_for<S: Store + ?Sized>(
    store: &S,
    portfolio: &Portfolio,
    prune: bool,
    now: DateTime<Utc>,
) -> Result<Plan, StoreError> {
    let (stored, others) = read_current(store, portfolio).await?;
    Ok(plan(portfolio, &stored, &others, prune, now))
}

/// Writes the plan's changes in order and returns how many it wrote. Each change is one store
/// call; a failure stops the run with what was done, and a second run plans only what is left.
pub async fn apply<S: Store + ?Sized>(store: &S, plan: &Plan) -> Result<usize, OperatorError> {
    let total = plan.changes.len();
    for (i, change) in plan.changes.iter().enumerate() {
        write_change(store, change)
            .await
            .map_err(|source| OperatorError::Apply {
                step: i + 1,
                done: i,
                total,
                change: change.to_string(),
                source,
            })?;
    }
    Ok(total)
}

async fn write_change<S: Store + ?Sized>(store: &S, change: &Change) -> Result<(), StoreError> {
    // Trusted: the org comes from the reviewed portfolio file, run by an operator with access to
    // the stage's table.
    let scope = OrgScope::trusted(change.org().clone());
    match change {
        Change::CreateOrg(org) => store.create_org(org).await,
        // Only if nobody changed the org since the plan read it; else Conflict stops the run.
        Change::UpdateOrg { org, .. } => {
            store.update_org(&scope, org, org.version).await.map(|_| ())
        }
        Change::AddMember {
            org_name, member, ..
        } => store.add_member(&scope, org_name, member).await,
        Change::UpdateMember {
            email,
            from,
            role,
            name,
            ..
        } => {
            // As in the app: a role change refuses the person's older tokens in that org, in the
            // same write, then tidies their allowlist entries.
            let stamp = (from != role).then(|| Member::revocation_stamp(Utc::now()));
            store
                .update_member(&scope, email, *role, name, stamp)
                .await?;
            if stamp.is_some() {
                store.revoke_sessions(&scope, email).await?;
            }
            Ok(())
        }
        Change::RemoveMember { email, .. } => {
            store.remove_member(&scope, email).await?;
            store.revoke_sessions(&scope, email).await.map(|_| ())
        }
    }
}

/// Prints a plan the way an operator reviews it: one line per change, then what is kept, then a
/// count; or that nothing would change.
pub fn render_plan(plan: &Plan, file: &str) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str(&format!("No changes: the store matches {file}.\n"));
    } else {
        for change in &plan.changes {
            out.push_str(&format!("  {change}\n"));
        }
    }
    for kept in &plan.kept {
        out.push_str(&format!("  = {kept}\n"));
    }
    if !plan.is_empty() {
        out.push_str(&format!("Plan: {}.\n", plan.summary()));
    }
    out
}

/// The table of a deployed stage, from the outputs file `make deploy` writes
/// (`cdk deploy --outputs-file`): `{"shipcaptaincrew-<stage>": {"TableName": "..."}}`.
pub fn table_from_outputs(stage: &str, outputs: &Path) -> Result<String, OperatorError> {
    let missing = || {
        OperatorError::Target(format!(
            "{} has no TableName for stack shipcaptaincrew-{stage}: deploy the stage first (make deploy STAGE={stage}), or name the table with --table",
            outputs.display()
        ))
    };
    let text = std::fs::read_to_string(outputs).map_err(|e| {
        OperatorError::Target(format!(
            "cannot read the stack outputs {}: {e}. They are written by `make deploy STAGE={stage}`; or name the table with --table",
            outputs.display()
        ))
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| OperatorError::Target(format!("{}: {e}", outputs.display())))?;
    json.get(format!("shipcaptaincrew-{stage}"))
        .and_then(|stack| stack.get("TableName"))
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(missing)
}

/// Where the outputs of `stage` are written by `make deploy`, relative to the repo root.
pub fn default_outputs(stage: &str) -> PathBuf {
    PathBuf::from(format!("infra-cdk/cdk-outputs-{stage}.json"))
}
