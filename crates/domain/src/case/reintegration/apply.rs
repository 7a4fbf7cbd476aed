//! The reintegration events folded into the case's reintegration.

use super::*;

impl Reintegration {
    /// Folds one of the reintegration events in; other events leave it as it is.
    pub(crate) fn apply(&mut self, meta: &EventMeta, event: &Event) {
        let at = meta.occurred_at;
        match event {
            Event::NeedsAssessed(n) => {
                self.needs.retain(|r| r.assessment.person_id != n.person_id);
                self.needs.push(NeedsRecord {
                    at,
                    assessment: n.clone(),
                });
            }
            Event::PlanDrafted {
                version,
                draft,
                total,
                cap,
            } => {
                for v in &mut self.versions {
                    if v.status == PlanStatus::Draft {
                        v.status = PlanStatus::Superseded;
                    }
                }
                self.versions.push(PlanVersion {
                    version: *version,
                    drafted_by: meta.actor,
                    drafted_at: at,
                    items: draft.items.clone(),
                    cap_exception: draft.cap_exception.clone(),
                    budget_exception: draft.budget_exception.clone(),
                    total: total.clone(),
                    cap: cap.clone(),
                    status: PlanStatus::Draft,
                    responses: Vec::new(),
                    decided_by: None,
                    decided_at: None,
                    decision_note: None,
                    approved_above_cap: false,
                });
            }
            Event::PlanResponded(r) => {
                if let Some(v) = self.versions.iter_mut().find(|v| v.version == r.version) {
                    v.responses.push(ResponseRecord {
                        at,
                        response: r.clone(),
                    });
                    // Agreeing again takes back what was declined of this version.
                    if r.answer == PlanAnswer::Agreed {
                        self.declined_all = None;
                        for item in &v.items {
                            self.declined_items.remove(&item.item_id);
                        }
                    }
                }
            }
            Event::PlanApproved {
                version,
                comment,
                above_cap,
            } => {
                for v in &mut self.versions {
                    if v.version == *version {
                        v.status = PlanStatus::Approved;
                        v.decided_by = Some(meta.actor);
                        v.decided_at = Some(at);
                        v.decision_note = comment.clone();
                        v.approved_above_cap = *above_cap;
                    } else if v.status == PlanStatus::Approved {
                        v.status = PlanStatus::Superseded;
                    }
                }
            }
            Event::PlanReturned { version, reason } => {
                if let Some(v) = self.versions.iter_mut().find(|v| v.version == *version) {
                    v.status = PlanStatus::Returned;
                    v.decided_by = Some(meta.actor);
                    v.decided_at = Some(at);
                    v.decision_note = Some(reason.clone());
                }
            }
            Event::AssistanceDeclined(d) => {
                let record = DeclineRecord {
                    at,
                    decline: d.clone(),
                };
                match d.item_id {
                    Some(item) => {
                        self.declined_items.insert(item, record);
                    }
                    None => self.declined_all = Some(record),
                }
            }
            Event::DeliveryRecorded {
                delivery,
                value,
                needs_second_signature,
            } => self.deliveries.push(DeliveryRecord {
                at,
                recorded_by: meta.actor,
                delivery: delivery.clone(),
                value: value.clone(),
                needs_second_signature: *needs_second_signature,
                countersigned_by: None,
                reversed: None,
            }),
            Event::DeliveryCountersigned { delivery_id } => {
                if let Some(d) = self.delivery_mut(*delivery_id) {
                    d.countersigned_by = Some(meta.actor);
                }
            }
            Event::DeliveryReversed {
                delivery_id,
                reason,
            } => {
                if let Some(d) = self.delivery_mut(*delivery_id) {
                    d.reversed = Some(Reversal {
                        at,
                        by: meta.actor,
                        reason: reason.clone(),
                    });
                }
            }
            Event::PlanItemClosed { item_id, reason } => {
                self.closed_items.insert(
                    *item_id,
                    ItemClosure {
                        at,
                        by: meta.actor,
                        reason: reason.clone(),
                    },
                );
            }
            _ => {}
        }
    }

    fn delivery_mut(&mut self, id: DeliveryId) -> Option<&mut DeliveryRecord> {
        self.deliveries
            .iter_mut()
            .find(|d| d.delivery.delivery_id == id)
    }
}
