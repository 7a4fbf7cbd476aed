//! The community projects of the report "impact on communities" (`stat_community`).

use super::prelude::*;

impl Backend {
    /// A programme's community projects by country of return, of the cases `offices`
    /// host or lead (all when `None`).
    pub async fn community_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
    ) -> CResult<Vec<CommunityCell>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT return_country, CAST(COUNT(*) AS BIGINT) AS projects, \
             CAST(COUNT(DISTINCT case_id) AS BIGINT) AS cases, \
             CAST(SUM(committed) AS BIGINT) AS committed, \
             CAST(SUM(delivered) AS BIGINT) AS delivered, \
             CAST(COALESCE(SUM(people_reached), 0) AS BIGINT) AS people_reached, \
             CAST(COUNT(people_reached) AS BIGINT) AS told \
             FROM stat_community WHERE programme = ",
        );
        q.push_bind(programme);
        super::statistics::push_seen_by(&mut q, offices);
        q.push(" GROUP BY return_country ORDER BY return_country");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
