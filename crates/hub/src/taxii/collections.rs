//! Which TAXII collections a caller sees, and what each one maps to.
//!
//! * one per sharing group the caller belongs to;
//! * "All members", shared with every organisation on the hub;
//! * one inbox per organisation: the caller reads its own inbox (objects
//!   sent to it by name, and its private objects) and may write into any
//!   inbox, which is how TLP:RED reaches named recipients.

use crosswatch_store::{Caller, Distribution, Group, Org, Scope, Store, StoreError};
use serde_json::{Value, json};

use crate::media::STIX_MEDIA_TYPE;

/// Fixed id of the all-members collection.
pub const ALL_MEMBERS_COLLECTION: &str = "4d2f6a8e-3f41-4d55-9a3c-8d1b9d0e7a01";

/// A collection as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// UUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Whether the caller may read it.
    pub can_read: bool,
    /// Whether the caller may post to it.
    pub can_write: bool,
    /// What reads are limited to.
    pub scope: Scope,
    /// How posted objects are shared.
    pub distribution: Distribution,
}

impl Collection {
    /// The TAXII collection resource.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": [STIX_MEDIA_TYPE],
        })
    }
}

/// Every collection visible to `caller`.
pub async fn collections_for(
    store: &Store,
    caller: &Caller,
) -> Result<Vec<Collection>, StoreError> {
    let mut out = vec![all_members(caller)];
    for group in store.groups_of(caller.org).await? {
        out.push(group_collection(caller, &group));
    }
    for org in store.list_orgs().await? {
        out.push(inbox(caller, &org));
    }
    Ok(out)
}

/// The collection with `id`, if the caller may know of it; looked up
/// directly (every TAXII request names one), not picked from the list.
pub async fn find_collection(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<Option<Collection>, StoreError> {
    if id == ALL_MEMBERS_COLLECTION {
        return Ok(Some(all_members(caller)));
    }
    // Only the caller's own groups: another group's collection stays unknown.
    if let Some(group) = store
        .groups_of(caller.org)
        .await?
        .iter()
        .find(|g| g.collection_id == id)
    {
        return Ok(Some(group_collection(caller, group)));
    }
    Ok(store
        .org_by_collection(id)
        .await?
        .map(|org| inbox(caller, &org)))
}

fn all_members(caller: &Caller) -> Collection {
    Collection {
        id: ALL_MEMBERS_COLLECTION.to_string(),
        title: "All members".to_string(),
        description: "Shared with every organisation on this hub (not for TLP:RED or \
                      TLP:AMBER+STRICT)."
            .to_string(),
        can_read: true,
        can_write: caller.role.can_write(),
        scope: Scope::AllMembers,
        distribution: Distribution::AllMembers,
    }
}

fn group_collection(caller: &Caller, group: &Group) -> Collection {
    Collection {
        id: group.collection_id.clone(),
        title: format!("Group: {}", group.name),
        description: format!(
            "Shared with the members of sharing group {} (not for TLP:RED).",
            group.name
        ),
        can_read: true,
        can_write: caller.role.can_write(),
        scope: Scope::Group(group.id),
        distribution: Distribution::Group(group.id),
    }
}

fn inbox(caller: &Caller, org: &Org) -> Collection {
    let own = org.id == caller.org;
    Collection {
        id: org.collection_id.clone(),
        title: format!("Inbox: {}", org.name),
        description: if own {
            "Objects sent to your organisation by name, and objects you keep private.".to_string()
        } else {
            format!("Send objects to {} only (use this for TLP:RED).", org.name)
        },
        can_read: own,
        can_write: caller.role.can_write(),
        scope: Scope::Inbox(org.id),
        distribution: if own {
            Distribution::OwnOrg
        } else {
            Distribution::Named(vec![org.id])
        },
    }
}
