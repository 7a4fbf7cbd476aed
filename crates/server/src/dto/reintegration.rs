//! Request bodies of the reintegration plan, its answers, approvals and deliveries.

use homeward_domain::case::reintegration::*;

use super::*;

command_body!(NeedsIn {
    /// The person assessed; the household when absent.
    person_id: Option<Id>,
    #[schema(value_type = Option<OptionalLongText>)]
    skills: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    education: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    work_experience: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    reasons_for_return: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    housing: Option<String>,
    /// Sensitive: read only by the roles that may read reintegration needs.
    #[schema(value_type = Option<OptionalLongText>)]
    health_needs: Option<String>,
    /// Sensitive: read only by the roles that may read reintegration needs.
    #[schema(value_type = Option<OptionalLongText>)]
    psychosocial_needs: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    family_situation: Option<String>,
    /// The returnee's own priorities, in their words.
    #[schema(value_type = Option<OptionalLongText>)]
    priorities: Option<String>,
});

impl NeedsIn {
    pub fn parse(&self, p: &mut Parse) -> Option<NeedsAssessment> {
        let given = [
            &self.skills,
            &self.education,
            &self.work_experience,
            &self.reasons_for_return,
            &self.housing,
            &self.health_needs,
            &self.psychosocial_needs,
            &self.family_situation,
            &self.priorities,
        ];
        let texts: [_; 9] =
            std::array::from_fn(|n| p.opt_text(NeedsAssessment::TEXT_FIELDS[n], given[n]));
        let texts: [Option<LongText>; 9] = texts
            .into_iter()
            .collect::<Option<Vec<_>>>()?
            .try_into()
            .ok()?;
        Some(NeedsAssessment::from_texts(
            self.person_id.map(|Id(id)| PersonId(id)),
            texts,
        ))
    }
}

/// An item of the plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemIn {
    /// Give the id of an item of an earlier version to keep it (deliveries are recorded
    /// against it); a new item gets one when absent.
    pub item_id: Option<Id>,
    pub assistance: AssistanceType,
    pub form: AssistanceForm,
    #[schema(value_type = ShortText)]
    pub description: String,
    /// The person it is for; the household when absent.
    pub beneficiary: Option<Id>,
    /// The amount, or the value in kind, in the programme's currency.
    pub value: MoneyIn,
    /// The service provider or vendor.
    #[schema(value_type = Option<OptionalShortText>)]
    pub provider: Option<String>,
    pub due: Option<Day>,
    /// The budget line of the programme's grants it draws on, for its assistance type:
    /// required when the programme has grants.
    pub budget_line: Option<Id>,
}

command_body!(PlanDraftIn {
    items: Vec<PlanItemIn>,
    /// Why the plan goes above the programme's cap: required when it does.
    #[schema(value_type = Option<OptionalLongText>)]
    cap_exception: Option<String>,
    /// Why the plan may commit a budget line beyond what is left of it: required when
    /// it does.
    #[schema(value_type = Option<OptionalLongText>)]
    budget_exception: Option<String>,
});

impl PlanDraftIn {
    pub fn parse(&self, p: &mut Parse) -> Option<PlanDraft> {
        let items: Vec<Option<PlanItem>> = self
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let base = format!("items/{n}");
                let description = p.text(&at(&base, "description"), &i.description);
                let value = p.money(&at(&base, "value"), i.value.amount_minor, &i.value.currency);
                let provider = p.opt_text(&at(&base, "provider"), &i.provider);
                Some(PlanItem {
                    item_id: PlanItemId(i.item_id.map_or_else(homeward_app::new_id, Uuid::from)),
                    assistance: i.assistance,
                    form: i.form,
                    description: description?,
                    beneficiary: i.beneficiary.map(|Id(id)| PersonId(id)),
                    value: value?,
                    provider: provider?,
                    due: i.due.map(NaiveDate::from),
                    budget_line: i.budget_line.map(|Id(id)| BudgetLineId(id)),
                })
            })
            .collect();
        let cap_exception = p.opt_text("cap_exception", &self.cap_exception);
        let budget_exception = p.opt_text("budget_exception", &self.budget_exception);
        Some(PlanDraft {
            items: items.into_iter().collect::<Option<Vec<_>>>()?,
            cap_exception: cap_exception?,
            budget_exception: budget_exception?,
        })
    }
}

command_body!(PlanResponseIn {
    /// The plan version answered (the latest).
    plan_version: u32,
    /// Who answers: an adult member, or a member through their representative.
    person_id: Id,
    given_by: ConsentGiver,
    answer: PlanAnswer,
    #[schema(value_type = Option<OptionalLongText>)]
    own_words: Option<String>,
});

command_body!(PlanApprovalIn {
    /// The plan version approved (the latest, waiting for approval).
    plan_version: u32,
    #[schema(value_type = Option<OptionalLongText>)]
    comment: Option<String>,
});

command_body!(PlanReturnIn {
    /// The plan version sent back.
    plan_version: u32,
    #[schema(value_type = LongText)]
    reason: String,
});

command_body!(DeclineIn {
    person_id: Id,
    /// The item declined; the whole support when absent.
    item_id: Option<Id>,
    #[schema(value_type = Option<OptionalLongText>)]
    own_words: Option<String>,
});

/// The rate a payment in another currency was converted at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeIn {
    /// Units of the plan's currency one unit of the paid currency is worth: a positive
    /// decimal with a point, at most 12 digits after it.
    #[schema(value_type = ExchangeRate, example = "0.00152449")]
    pub rate: String,
    /// The date of the rate; not after the delivery.
    pub on: Day,
}

command_body!(DeliveryIn {
    /// Given by the client to refer to it later; one is made when absent.
    delivery_id: Option<Id>,
    item_id: Id,
    channel: DeliveryChannel,
    /// What was paid or given, in the currency paid.
    amount: MoneyIn,
    /// Required when the currency paid is not the plan's; refused otherwise.
    exchange: Option<ExchangeIn>,
    /// A receipt or voucher reference.
    #[schema(value_type = Option<OptionalShortText>)]
    proof: Option<String>,
    /// Of a community project (an item of community assistance) only: the people of the
    /// community it has reached so far.
    #[schema(minimum = 1)]
    people_reached: Option<u32>,
});

impl DeliveryIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Delivery> {
        let amount = p.money("amount", self.amount.amount_minor, &self.amount.currency);
        let rate = self
            .exchange
            .as_ref()
            .map(|x| p.rate("exchange/rate", &x.rate))
            .map_or(Some(None), |r| r.map(Some));
        let proof = p.opt_text("proof", &self.proof);
        let exchange = rate?
            .zip(self.exchange.as_ref())
            .map(|(rate, x)| Exchange { rate, on: x.on.0 });
        Some(Delivery {
            delivery_id: DeliveryId(
                self.delivery_id
                    .map_or_else(homeward_app::new_id, Uuid::from),
            ),
            item_id: PlanItemId(self.item_id.0),
            channel: self.channel,
            amount: amount?,
            exchange,
            proof: proof?,
            people_reached: self.people_reached,
        })
    }
}

command_body!(CountersignIn { delivery_id: Id });

command_body!(ReversalIn {
    delivery_id: Id,
    #[schema(value_type = LongText)]
    reason: String,
});

command_body!(ItemClosureIn {
    item_id: Id,
    #[schema(value_type = LongText)]
    reason: String,
});
