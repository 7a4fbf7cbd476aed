//! Writes joined into one statement (one round trip), each backend joining them its way.

use super::prelude::*;

/// Writes sent to the database as one statement where they would be one each: one round
/// trip, not one per write. SQLite runs statements joined by semicolons in one call;
/// PostgreSQL runs data-modifying statements together in a `WITH`, where they all see the
/// database as it was before the statement: no part may need another's rows (foreign keys
/// are checked at the statement's end, so a part may hold rows whose parent another part
/// writes). Past `WRITE_BINDS` parameters what is gathered is sent and a new statement
/// begins.
pub(crate) struct Writes {
    q: QueryBuilder<Db>,
    parts: usize,
    binds: usize,
}

/// Parameters bound in one `Writes` statement at most: under SQLite's 32,766 per
/// statement and PostgreSQL's 65,535.
pub(crate) const WRITE_BINDS: usize = 30_000;

impl Writes {
    pub(crate) fn new() -> Self {
        Writes {
            q: QueryBuilder::new(""),
            parts: 0,
            binds: 0,
        }
    }

    /// The builder, ready for one more write of `binds` parameters.
    pub(crate) async fn part(
        &mut self,
        tx: &mut sqlx::Transaction<'_, Db>,
        binds: usize,
    ) -> CResult<&mut QueryBuilder<Db>> {
        if self.parts > 0 && self.binds + binds > WRITE_BINDS {
            self.send(tx).await?;
        }
        Backend::join_writes(&mut self.q, self.parts);
        self.parts += 1;
        self.binds += binds;
        Ok(&mut self.q)
    }

    /// Sends what is gathered.
    pub(crate) async fn send(&mut self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        if self.parts == 0 {
            return Ok(());
        }
        Backend::end_writes(&mut self.q);
        self.q.build().execute(&mut **tx).await?;
        self.q.reset();
        self.parts = 0;
        self.binds = 0;
        Ok(())
    }
}
