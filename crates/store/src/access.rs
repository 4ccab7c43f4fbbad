//! Who may see a shared object: one pure rule, mirrored as SQL.
//!
//! The rule lives here twice on purpose: [`may_see`] is the readable
//! reference (and what the property tests compare against), and
//! [`visible_sql`] is the same rule as a `WHERE` fragment so that every
//! read path filters inside the database and keyset paging stays exact.

use std::collections::BTreeSet;

use crosswatch_model::Tlp;

/// A hub organisation's database id.
pub type OrgId = i64;
/// A sharing group's database id.
pub type GroupId = i64;

/// Where an object was shared to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distribution {
    /// Only the owner organisation.
    OwnOrg,
    /// The members of one sharing group.
    Group(GroupId),
    /// Every organisation on the hub.
    AllMembers,
    /// Only the listed organisations (required for TLP:RED).
    Named(Vec<OrgId>),
}

impl Distribution {
    /// The value stored in the `dist_kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Distribution::OwnOrg => "org",
            Distribution::Group(_) => "group",
            Distribution::AllMembers => "all",
            Distribution::Named(_) => "named",
        }
    }
}

/// Decides whether `viewer` may see an object owned by `owner`, marked
/// `tlp` and shared as `distribution`. `viewer_groups` are the groups the
/// viewer belongs to.
///
/// * The owner always sees its own objects.
/// * TLP:RED reaches named recipients only, never a group or everyone.
/// * TLP:AMBER+STRICT reaches a group's member organisations or named
///   recipients, never "all members".
/// * CLEAR, GREEN and AMBER follow the distribution.
pub fn may_see(
    viewer: OrgId,
    viewer_groups: &BTreeSet<GroupId>,
    owner: OrgId,
    tlp: Tlp,
    distribution: &Distribution,
) -> bool {
    if viewer == owner {
        return true;
    }
    match distribution {
        Distribution::OwnOrg => false,
        Distribution::Named(recipients) => recipients.contains(&viewer),
        Distribution::Group(group) => tlp != Tlp::Red && viewer_groups.contains(group),
        Distribution::AllMembers => !matches!(tlp, Tlp::Red | Tlp::AmberStrict),
    }
}

/// Checks that a distribution makes sense for a marking before it is
/// accepted, so that a sender learns at once that e.g. a RED object posted
/// to a group would reach nobody.
pub fn check_distribution(tlp: Tlp, distribution: &Distribution) -> Result<(), String> {
    match (tlp, distribution) {
        (Tlp::Red, Distribution::Group(_) | Distribution::AllMembers) => Err(
            "TLP:RED objects go to named recipients only: post them to the recipient \
             organisation's inbox collection"
                .to_string(),
        ),
        (Tlp::AmberStrict, Distribution::AllMembers) => Err(
            "TLP:AMBER+STRICT objects may not be shared with all members: post them to a \
             sharing group or a recipient's inbox collection"
                .to_string(),
        ),
        _ => Ok(()),
    }
}

/// The [`may_see`] rule as a SQL condition over the `objects` row aliased
/// `alias`. `viewer` is an integer id, so inlining it is safe.
pub fn visible_sql(alias: &str, viewer: OrgId) -> String {
    format!(
        "({a}.owner_org = {v} \
         OR ({a}.dist_kind = 'named' AND {a}.row_id IN \
             (SELECT r.row_id FROM object_recipients r WHERE r.org_id = {v})) \
         OR ({a}.dist_kind = 'group' AND {a}.tlp <> 'RED' AND {a}.dist_group IN \
             (SELECT m.group_id FROM group_members m WHERE m.org_id = {v})) \
         OR ({a}.dist_kind = 'all' AND {a}.tlp <> 'RED' AND {a}.tlp <> 'AMBER+STRICT'))",
        a = alias,
        v = viewer
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(ids: &[GroupId]) -> BTreeSet<GroupId> {
        ids.iter().copied().collect()
    }

    #[test]
    fn owner_always_sees_even_red_to_nobody() {
        assert!(may_see(1, &groups(&[]), 1, Tlp::Red, &Distribution::OwnOrg));
        assert!(may_see(
            1,
            &groups(&[]),
            1,
            Tlp::Red,
            &Distribution::Named(vec![])
        ));
    }

    #[test]
    fn red_reaches_named_recipients_only() {
        let named = Distribution::Named(vec![2]);
        assert!(may_see(2, &groups(&[]), 1, Tlp::Red, &named));
        assert!(!may_see(3, &groups(&[]), 1, Tlp::Red, &named));
        assert!(!may_see(
            2,
            &groups(&[7]),
            1,
            Tlp::Red,
            &Distribution::Group(7)
        ));
        assert!(!may_see(
            2,
            &groups(&[]),
            1,
            Tlp::Red,
            &Distribution::AllMembers
        ));
    }

    #[test]
    fn amber_strict_never_goes_to_everyone() {
        assert!(!may_see(
            2,
            &groups(&[]),
            1,
            Tlp::AmberStrict,
            &Distribution::AllMembers
        ));
        assert!(may_see(
            2,
            &groups(&[7]),
            1,
            Tlp::AmberStrict,
            &Distribution::Group(7)
        ));
        assert!(!may_see(
            3,
            &groups(&[8]),
            1,
            Tlp::AmberStrict,
            &Distribution::Group(7)
        ));
    }

    #[test]
    fn green_follows_distribution() {
        assert!(may_see(
            2,
            &groups(&[]),
            1,
            Tlp::Green,
            &Distribution::AllMembers
        ));
        assert!(!may_see(
            2,
            &groups(&[]),
            1,
            Tlp::Green,
            &Distribution::OwnOrg
        ));
        assert!(!may_see(
            2,
            &groups(&[8]),
            1,
            Tlp::Green,
            &Distribution::Group(7)
        ));
    }

    #[test]
    fn distribution_checks_reject_leaks() {
        assert!(check_distribution(Tlp::Red, &Distribution::Group(1)).is_err());
        assert!(check_distribution(Tlp::Red, &Distribution::Named(vec![2])).is_ok());
        assert!(check_distribution(Tlp::AmberStrict, &Distribution::AllMembers).is_err());
        assert!(check_distribution(Tlp::Green, &Distribution::AllMembers).is_ok());
    }
}
