//! `sqlx::migrate!` embeds the migration files when this crate compiles. Cargo does not
//! know about them: without this, a new migration file leaves the crate as it was, and a
//! binary built incrementally ships without the migration (found when a benchmark binary
//! built after `0006` had been added did not create its index).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
