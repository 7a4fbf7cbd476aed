//! The reintegration plan's endpoints: needs, plan versions, the returnee's answers,
//! approvals, declines, deliveries and their signatures, reversals and closed items.

use homeward_domain::case::reintegration::Decline;

use super::*;

commands! {
    routes = plan_command_routes;
    record_needs,
    "/api/cases/{case_id}/needs-assessments",
    NeedsIn,
    "Record the needs assessment of a returnee or the household (the plan's baseline)",
    |b, p, _app, _who| b.parse(&mut p).map(Command::RecordNeeds);
    draft_plan,
    "/api/cases/{case_id}/plan-versions",
    PlanDraftIn,
    "Draft a new version of the reintegration plan (replaces a draft not yet approved)",
    |b, p, _app, _who| b.parse(&mut p).map(Command::DraftPlan);
    respond_to_plan,
    "/api/cases/{case_id}/plan-responses",
    PlanResponseIn,
    "Record the returnee's answer to the plan: agreed, or a change asked for",
    |b, p, _app, _who| p.opt_text("own_words", &b.own_words).map(|own_words| {
        Command::RespondToPlan(homeward_domain::case::reintegration::PlanResponse {
            version: b.plan_version,
            person_id: PersonId(b.person_id.0),
            given_by: b.given_by,
            answer: b.answer,
            own_words,
        })
    });
    approve_plan,
    "/api/cases/{case_id}/plan-approvals",
    PlanApprovalIn,
    "Approve the plan version waiting for approval (never by who drafted it)",
    |b, p, _app, _who| p
        .opt_text("comment", &b.comment)
        .map(|comment| Command::ApprovePlan {
            version: b.plan_version,
            comment
        });
    return_plan,
    "/api/cases/{case_id}/plan-returns",
    PlanReturnIn,
    "Send the plan version waiting for approval back, with a reason",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::ReturnPlan {
            version: b.plan_version,
            reason
        });
    decline_assistance,
    "/api/cases/{case_id}/declines",
    DeclineIn,
    "Record that the returnee declines an item, or the whole support",
    |b, p, _app, _who| p.opt_text("own_words", &b.own_words).map(|own_words| {
        Command::DeclineAssistance(Decline {
            person_id: PersonId(b.person_id.0),
            item_id: b.item_id.map(|Id(id)| PlanItemId(id)),
            own_words,
        })
    });
    record_delivery,
    "/api/cases/{case_id}/deliveries",
    DeliveryIn,
    "Record a delivery (a tranche) of an item of the approved plan",
    |b, p, _app, _who| b.parse(&mut p).map(Command::RecordDelivery);
    countersign_delivery,
    "/api/cases/{case_id}/delivery-countersignatures",
    CountersignIn,
    "Give a delivery above the programme's threshold its second signature",
    |b, p, _app, _who| Some(Command::CountersignDelivery {
        delivery_id: DeliveryId(b.delivery_id.0)
    });
    reverse_delivery,
    "/api/cases/{case_id}/delivery-reversals",
    ReversalIn,
    "Reverse a delivery, with a reason (it stays in the record)",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::ReverseDelivery {
            delivery_id: DeliveryId(b.delivery_id.0),
            reason
        });
    close_item,
    "/api/cases/{case_id}/item-closures",
    ItemClosureIn,
    "Close an item of the plan that will not be delivered (further), with a reason",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::CloseItem {
            item_id: PlanItemId(b.item_id.0),
            reason
        });
}
