//! Administration the `crosswatch admin` command calls: organisations,
//! tokens, sharing groups, audit export.

use std::io::Write;

use crosswatch_store::{Group, Org, Role, Store, TokenInfo};

use crate::HubError;

/// Creates an organisation.
pub async fn create_org(store: &Store, name: &str) -> Result<Org, HubError> {
    Ok(store.create_org(name).await?)
}

async fn org_named(store: &Store, name: &str) -> Result<Org, HubError> {
    store.org_by_name(name).await?.ok_or_else(|| {
        HubError::Config(format!(
            "no organisation named `{name}`: create it with `crosswatch admin org create \"{name}\"`"
        ))
    })
}

/// Issues a token for the organisation called `org_name`; the returned
/// secret must be shown once and never stored.
pub async fn create_token(
    store: &Store,
    org_name: &str,
    role: Role,
    expires_in_days: Option<i64>,
) -> Result<(TokenInfo, String), HubError> {
    let org = org_named(store, org_name).await?;
    Ok(store
        .create_token(org.id, role, expires_in_days.map(time::Duration::days))
        .await?)
}

/// Revokes a token by id.
pub async fn revoke_token(store: &Store, token_id: i64) -> Result<bool, HubError> {
    Ok(store.revoke_token(token_id).await?)
}

/// Creates a sharing group whose members are the named organisations.
pub async fn create_group(
    store: &Store,
    name: &str,
    member_names: &[String],
    retention_days: Option<i64>,
) -> Result<Group, HubError> {
    let mut members = Vec::new();
    for member in member_names {
        members.push(org_named(store, member).await?.id);
    }
    Ok(store.create_group(name, &members, retention_days).await?)
}

async fn group_named(store: &Store, name: &str) -> Result<Group, HubError> {
    store.group_by_name(name).await?.ok_or_else(|| {
        HubError::Config(format!(
            "no sharing group named `{name}`: create it with `crosswatch admin group create \"{name}\" --member ORG`"
        ))
    })
}

/// Adds an organisation to a group.
pub async fn add_member(store: &Store, group: &str, org: &str) -> Result<(), HubError> {
    let group = group_named(store, group).await?;
    let org = org_named(store, org).await?;
    Ok(store.add_group_member(group.id, org.id).await?)
}

/// Sets or removes the retention policy of the group called `group`.
pub async fn set_retention(store: &Store, group: &str, days: Option<i64>) -> Result<(), HubError> {
    let group = group_named(store, group).await?;
    Ok(store.set_group_retention(group.id, days).await?)
}

/// Expires every object older than its group's retention policy now
/// (the server also does this periodically). Returns how many expired.
pub async fn sweep_retention(store: &Store) -> Result<usize, HubError> {
    Ok(store
        .sweep_retention(time::OffsetDateTime::now_utc())
        .await?)
}

/// Writes the audit log after entry `after` as JSON Lines, oldest first.
/// Returns the count.
pub async fn export_audit(
    store: &Store,
    after: i64,
    out: &mut impl Write,
) -> Result<usize, HubError> {
    let mut after = after;
    let mut written = 0;
    loop {
        let entries = store.audit_entries(after, 5000).await?;
        let Some(last) = entries.last() else { break };
        after = last.id;
        for entry in &entries {
            let line = serde_json::to_string(entry).map_err(|e| HubError::Config(e.to_string()))?;
            writeln!(out, "{line}").map_err(|source| HubError::Io {
                context: "cannot write the audit export".into(),
                source,
            })?;
            written += 1;
        }
    }
    Ok(written)
}
