//! The schema's migrations, embedded in the binary (`build.rs`), run by sqlx's migrator.
//! Each file is `<version>_<description>.sql`, read as sqlx reads a migrations folder, so
//! that a database migrated before keeps its record: the checksum of an applied migration
//! must never change (a test pins them).

use std::borrow::Cow;

use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::StoreError;

mod files {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// SQLite's migrations.
pub(crate) fn sqlite() -> Result<Migrator, StoreError> {
    migrator(files::SQLITE)
}

/// PostgreSQL's migrations.
pub(crate) fn postgres() -> Result<Migrator, StoreError> {
    migrator(files::POSTGRES)
}

/// Runs the migrations on `conn`: the versions it applied now (all of them on a new
/// database).
pub(crate) async fn run<C>(migrator: &Migrator, conn: &mut C) -> Result<Vec<i64>, StoreError>
where
    C: sqlx::migrate::Migrate,
{
    conn.ensure_migrations_table(&migrator.table_name).await?;
    let before: std::collections::BTreeSet<i64> = conn
        .list_applied_migrations(&migrator.table_name)
        .await?
        .into_iter()
        .map(|m| m.version)
        .collect();
    migrator.run_direct(None, conn, false).await?;
    Ok(migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !before.contains(v))
        .collect())
}

fn migrator(files: &'static [(&'static str, &'static str)]) -> Result<Migrator, StoreError> {
    let migrations = files
        .iter()
        .map(|&(file, sql)| migration(file, sql))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Migrator::with_migrations(migrations))
}

/// A file as sqlx's folder source reads it: the version before the first `_`, the rest
/// (without `.sql`, `_` as spaces) the description; `-- no-transaction` first opts out of
/// the transaction.
fn migration(file: &str, sql: &'static str) -> Result<Migration, StoreError> {
    let bad = || {
        StoreError::Corrupt(format!(
            "migration file {file:?}: expected <version>_<name>.sql"
        ))
    };
    let (version, rest) = file.split_once('_').ok_or_else(bad)?;
    let version: i64 = version.parse().map_err(|_| bad())?;
    let kind = MigrationType::from_filename(rest);
    let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
    Ok(Migration::new(
        version,
        Cow::Owned(description),
        kind,
        SqlStr::from_static(sql),
        sql.starts_with("-- no-transaction"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of each applied migration's checksum (SHA-384 of its text), as databases
    /// recorded it: a file changed after it was applied would stop every such database from
    /// starting. A new migration is added here; an old one never changes.
    const APPLIED: [(&str, &[(&str, &str)]); 2] = [
        (
            "sqlite",
            &[
                ("0001_init.sql", "4e9a512f4e2d9eb433e99a32b517b710"),
                ("0002_departs_at.sql", "8843789f376c1511e794b6f06514d80e"),
                ("0003_statistics.sql", "2f44a7fd6a16b55f685a8e44fc888533"),
                ("0004_person_tokens.sql", "f79327f09c63278df737c4b9102b6b39"),
                (
                    "0005_person_tokens_by_person.sql",
                    "adff5e0b2baf922ab94bc95928211f91",
                ),
                (
                    "0006_case_list_by_stage_and_country.sql",
                    "2045f48972e63783febc3c625bd32a58",
                ),
                (
                    "0007_directory_generation.sql",
                    "0811d5569180d1d6a699d252e64d2261",
                ),
                (
                    "0008_case_list_by_office.sql",
                    "e1926220eade67dc951da03e039ed149",
                ),
                (
                    "0009_search_by_update.sql",
                    "a2bf7009e76a6355e9a4181d6a939af8",
                ),
                (
                    "0010_search_words_again.sql",
                    "155454af9315a9f3ebabdd467425c957",
                ),
                ("0011_follow_ups.sql", "72656d4d20685c619303ac565b5a413e"),
                ("0012_case_owner.sql", "3d82e4cd1297a354ed98d8fe8a70474e"),
                (
                    "0013_case_unreached.sql",
                    "82d8b9311d0610adcaaa532196e345d6",
                ),
                ("0014_organisations.sql", "cba8fcb76c896977cc1804c178bacc28"),
                (
                    "0015_case_referrals.sql",
                    "6b6ff6056ca81c718802750146aea838",
                ),
                ("0016_partner_users.sql", "c0965bb13267ad468c7e27b07f8c94ef"),
                (
                    "0017_referral_links.sql",
                    "1bfc2012496ce81749869457a5899025",
                ),
                (
                    "0018_referral_outcomes.sql",
                    "6b2e34939bef6d48c181e4c430570b7b",
                ),
                (
                    "0019_inbound_referrals.sql",
                    "957941fd76be194cedc8a083207a0325",
                ),
                (
                    "0020_host_or_transit.sql",
                    "92dfb03eb8a54606243ab7c6300a2380",
                ),
                (
                    "0021_case_deadlines.sql",
                    "503c1ea2d02fc933133b4be7b97b382c",
                ),
                (
                    "0022_office_time_zone.sql",
                    "a87f93fcc64943b0c1331e1d77dd4c1c",
                ),
                ("0023_plan_work.sql", "cd174e443d494554e0522d835e97a453"),
                ("0024_case_budget.sql", "0e4466954293b00573c9f460ac8696f0"),
                (
                    "0025_assistance_received.sql",
                    "27de8360d2e82b41652e7a284ca0fae8",
                ),
                (
                    "0026_plan_exceptions.sql",
                    "69b2534df96f21a6a47b5101093b4173",
                ),
                (
                    "0027_options_taken_up.sql",
                    "497d78244fba6b08f214ec3bf7106440",
                ),
                (
                    "0028_budget_by_month.sql",
                    "3af407186c8a1106f5fce5e12b27297e",
                ),
                ("0029_surveys.sql", "445e271a4c91fe390a83b620aff24a2d"),
                ("0030_scores.sql", "d7c0791aa9888b0bfc2a23d13dd50e04"),
                ("0031_score_sums.sql", "e4d272a1a4a2f0962214c8bb96c64795"),
                ("0032_score_groups.sql", "25eac81e5500a0233fd73a1accfa5f19"),
                (
                    "0033_community_projects.sql",
                    "3f2c401dd6dea56fb8367f4196a1f107",
                ),
                (
                    "0034_community_sums.sql",
                    "e04682ed1dfc9eb2dcca0ec52d91cd30",
                ),
                (
                    "0035_follow_up_counts.sql",
                    "ebef874b4632465dee5552481b7d95b2",
                ),
                (
                    "0036_follow_up_months.sql",
                    "acdf9556fe0e61dbb6645168e84fc848",
                ),
            ],
        ),
        (
            "postgres",
            &[
                ("0001_init.sql", "77cc7e801a589eabb8c2b06675f662d1"),
                ("0002_departs_at.sql", "11a1fba26d466be9082a6b2fef4e856a"),
                ("0003_statistics.sql", "34cb10598f0865a3fd691e919c5f9167"),
                ("0004_person_tokens.sql", "4134300639b039ec8c2599b3a53997e5"),
                (
                    "0005_person_tokens_by_person.sql",
                    "adff5e0b2baf922ab94bc95928211f91",
                ),
                (
                    "0006_case_list_by_stage_and_country.sql",
                    "2045f48972e63783febc3c625bd32a58",
                ),
                (
                    "0007_directory_generation.sql",
                    "ba85682c0b1e1b11345df343621dcc30",
                ),
                (
                    "0008_case_list_by_office.sql",
                    "e1926220eade67dc951da03e039ed149",
                ),
                (
                    "0009_search_by_update.sql",
                    "a2bf7009e76a6355e9a4181d6a939af8",
                ),
                (
                    "0010_search_words_again.sql",
                    "c3190e79ae316cc489554746ab504bcc",
                ),
                ("0011_follow_ups.sql", "31c044fdde3f8b61bc341f2da0b66084"),
                ("0012_case_owner.sql", "67d680be6d904764e9fc8c23da6a210e"),
                (
                    "0013_case_unreached.sql",
                    "b0bdcb59f12cd9ccdbfe07235255ed78",
                ),
                ("0014_organisations.sql", "0734be0bdf41bfc16f4a9077b77f6b64"),
                (
                    "0015_case_referrals.sql",
                    "7bcf75cf99d17dcecf3b4e406fb5dbb4",
                ),
                ("0016_partner_users.sql", "5795cd8ff4430b809ac38c55fa40186d"),
                (
                    "0017_referral_links.sql",
                    "15de1883a5c9fe91bf740453dc9f1d08",
                ),
                (
                    "0018_referral_outcomes.sql",
                    "00c06578b1d38df653930ca2dbed2788",
                ),
                (
                    "0019_inbound_referrals.sql",
                    "9b4407794bcbb43ca73d4b77834efbdb",
                ),
                (
                    "0020_host_or_transit.sql",
                    "92dfb03eb8a54606243ab7c6300a2380",
                ),
                (
                    "0021_case_deadlines.sql",
                    "bde52a4bcefe8c7fa13643ba1e37d5b3",
                ),
                (
                    "0022_office_time_zone.sql",
                    "0b56d2766780318cd25f4e9af4c2469d",
                ),
                ("0023_plan_work.sql", "cd174e443d494554e0522d835e97a453"),
                ("0024_case_budget.sql", "2f9cb7f54dc85ca86d98ff04921560c8"),
                (
                    "0025_assistance_received.sql",
                    "27de8360d2e82b41652e7a284ca0fae8",
                ),
                (
                    "0026_plan_exceptions.sql",
                    "69b2534df96f21a6a47b5101093b4173",
                ),
                (
                    "0027_options_taken_up.sql",
                    "8284edb71549e4e28e8162df84a66485",
                ),
                (
                    "0028_budget_by_month.sql",
                    "40e2cfddcb4acb6417ab1609a75f4bb2",
                ),
                ("0029_surveys.sql", "e37415e033099cb965160ef1c29a8f73"),
                ("0030_scores.sql", "8786169d81b1a21b72c120e88bcf4003"),
                ("0031_score_sums.sql", "6868887bcf7381a26c502adb05607a1d"),
                ("0032_score_groups.sql", "83a7f3d17a50980f4e53ea000b056116"),
                (
                    "0033_community_projects.sql",
                    "b59fb977f8a35bd2aec9cbdf6dc1376d",
                ),
                (
                    "0034_community_sums.sql",
                    "c0d8b2be3e1b647f17f2038ae1791279",
                ),
                (
                    "0035_follow_up_counts.sql",
                    "98cb21f3a2566b0e2572ee68e7136058",
                ),
                (
                    "0036_follow_up_months.sql",
                    "00a5e0e3614fabd67fa6f6ff1cf090be",
                ),
            ],
        ),
    ];

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn applied_migrations_keep_their_checksums_and_descriptions() {
        for (backend, applied) in APPLIED {
            let (files, migrator) = match backend {
                "sqlite" => (files::SQLITE, sqlite().unwrap()),
                _ => (files::POSTGRES, postgres().unwrap()),
            };
            assert!(
                files.len() >= applied.len(),
                "{backend}: a migration was removed"
            );
            let migrations: Vec<&Migration> = migrator.iter().collect();
            for (n, (file, checksum)) in applied.iter().enumerate() {
                assert_eq!(files[n].0, *file, "{backend}: files out of order");
                let m = migrations[n];
                assert_eq!(m.version, n as i64 + 1, "{backend} {file}");
                assert!(
                    hex(&m.checksum).starts_with(checksum),
                    "{backend} {file} changed after it was applied"
                );
                assert_eq!(m.migration_type, MigrationType::Simple);
            }
            // As sqlx's folder source names them.
            assert_eq!(migrations[0].description, "init");
            assert_eq!(migrations[5].description, "case list by stage and country");
        }
    }

    #[test]
    fn a_file_not_named_as_a_migration_is_an_error() {
        assert!(migration("init.sql", "").is_err());
        assert!(migration("x_init.sql", "").is_err());
        assert!(
            migration("0011_no_tx.sql", "-- no-transaction\nSELECT 1")
                .unwrap()
                .no_tx
        );
    }
}
