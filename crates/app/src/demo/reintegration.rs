//! The demo's life after return: the needs assessment, a plan in each of its states
//! (waiting for approval, sent back, approved above the cap as an exception), deliveries
//! in euros and in the local currency, large ones countersigned, an item declined, items
//! closed with a reason.

use homeward_domain::case::plan_cap;
use homeward_domain::case::reintegration::*;
use homeward_domain::funding::{BudgetLine, Grant, lines_for};
use homeward_domain::ids::{BudgetLineId, GrantId};

use super::*;

/// Local currencies the demo pays vendors in: the euro value of one unit, and the units
/// a euro buys.
fn local_currency(country: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match country {
        "SN" => Some(("XOF", "0.00152449", "655.957")),
        "GE" => Some(("GEL", "0.3412", "2.9308")),
        "NG" => Some(("NGN", "0.000572", "1748.25")),
        _ => None,
    }
}

/// The demo programme's grants: the European Union's for every assistance type its plans
/// use, in any country of return, over the whole time its stories cover; and a second
/// donor's for business set-up and medical care in Senegal, since the start of last year
/// (the lines those items draw on first, while they have room), in Norwegian kroner at a
/// budget rate the agreement fixes. Ids are fixed: the same in every demo. Sized in
/// proportion to the demo's cases, so that its plans commit most of every line and a
/// little more than the medical care lines hold: the last of those plans are approved
/// with an exception, whatever the demo's size.
pub(crate) fn demo_funding(today: NaiveDate, cases: usize) -> Result<Vec<Grant>> {
    // Amounts are given for 300 cases.
    let scale = |units: u64| (units * 100 * (cases.max(1) as u64)).div_ceil(300);
    let day = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::internal("the demo's grants"))
    };
    let year = chrono::Datelike::year(&today);
    let line = |n: u128,
                assistance: AssistanceType,
                country: Option<&str>,
                units: u64|
     -> Result<BudgetLine> {
        Ok(BudgetLine {
            line_id: BudgetLineId(uuid::Uuid::from_u128(
                0x0b0d_0000_0000_0000_0000_0000_0000_0000 + n,
            )),
            assistance,
            country: country
                .map(CountryCode::parse)
                .transpose()
                .internal("the demo's grants")?,
            // Both currencies have two decimals.
            amount: scale(units),
        })
    };
    let currency = CurrencyCode::parse("EUR").internal("the demo's grants")?;
    Ok(vec![
        Grant {
            grant_id: GrantId(uuid::Uuid::from_u128(
                0x06a7_0000_0000_0000_0000_0000_0000_0001,
            )),
            donor: text("European Union (AMIF)")?,
            reference: text("AMIF/AVRR/2024-0117")?,
            starts: day(year - 3, 1, 1)?,
            ends: day(year + 1, 12, 31)?,
            currency,
            budget_rate: None,
            amount: scale(380_000),
            lines: vec![
                line(1, AssistanceType::ReintegrationAllowance, None, 140_000)?,
                line(2, AssistanceType::InKindBusinessSetUp, None, 130_000)?,
                line(3, AssistanceType::EducationSupport, None, 20_000)?,
                line(4, AssistanceType::PsychosocialSupport, None, 18_000)?,
                line(5, AssistanceType::MedicalCare, None, 20_000)?,
                line(6, AssistanceType::CommunityAssistance, None, 30_000)?,
            ],
        },
        Grant {
            grant_id: GrantId(uuid::Uuid::from_u128(
                0x06a7_0000_0000_0000_0000_0000_0000_0002,
            )),
            donor: text("Norwegian Ministry of Foreign Affairs")?,
            reference: text("NOR-SEN-REINT-25")?,
            starts: day(year - 1, 1, 1)?,
            ends: day(year + 1, 12, 31)?,
            currency: CurrencyCode::parse("NOK").internal("the demo's grants")?,
            // 11.75 kroner a euro: 400,000 kroner are 34,042.55 euros.
            budget_rate: Some(ExchangeRate::parse("11.75").internal("the demo's grants")?),
            amount: scale(400_000),
            lines: vec![
                line(11, AssistanceType::InKindBusinessSetUp, Some("SN"), 352_500)?,
                line(12, AssistanceType::MedicalCare, Some("SN"), 40_000)?,
            ],
        },
    ])
}

/// The line an item of `value` draws on: the first the programme's grants offer for it
/// with that much `left`, else the first (the plan then needs an exception).
fn line_for(
    programme: &ProgrammeSettings,
    assistance: AssistanceType,
    country: &CountryCode,
    on: NaiveDate,
    value: i64,
    left: impl Fn(BudgetLineId) -> i64,
) -> Option<BudgetLineId> {
    let lines = lines_for(&programme.funding, assistance, country, on);
    lines
        .iter()
        .find(|(_, l)| left(l.line_id) >= value)
        .or(lines.first())
        .map(|(_, l)| l.line_id)
}

fn eur(cents: i64) -> Result<Money> {
    Money::new(
        cents,
        CurrencyCode::parse("EUR").internal("building the demo")?,
    )
    .internal("building the demo")
}

/// Who answers for the household: the principal if an adult, else their representative.
fn answerer(case: &Case, on: NaiveDate) -> Option<(PersonId, ConsentGiver)> {
    let p = case.principal()?;
    if p.details.date_of_birth.is_adult_on(on) {
        Some((p.person_id, ConsentGiver::Person))
    } else if case.representatives.contains_key(&p.person_id) {
        Some((p.person_id, ConsentGiver::Representative))
    } else {
        None
    }
}

/// The story from arrival: `Ok(())` when it stops (its ending, or today).
pub(super) fn after_arrival(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    c: &Country,
    ending: Ending,
) -> Result<()> {
    let at = |s: &Story, stage: Stage| -> Result<bool> {
        Ok(ending == Ending::At(stage) && s.case()?.stage == stage)
    };
    if at(story, Stage::Arrived)? || !story.wait(rng, 3, 20) {
        return Ok(());
    }
    let case = story.case()?;
    let on = story.t.date_naive();
    let Some((principal, given_by)) = answerer(&case, on) else {
        // Nobody can agree to a plan for this household yet: reintegration waits.
        story.run(a.reintegration, Command::StartReintegration)?;
        return Ok(());
    };
    story.run(
        a.reintegration,
        Command::RecordNeeds(NeedsAssessment {
            person_id: Some(principal),
            skills: Some(long(
                [
                    "Tailoring",
                    "Farming",
                    "Driving",
                    "Hairdressing",
                    "Carpentry",
                ]
                .choose(rng)
                .copied()
                .unwrap_or("Farming"),
            )?),
            education: Some(long("Primary school completed")?),
            work_experience: Some(long("Six years in small trade before leaving")?),
            reasons_for_return: Some(long("Family at home; no prospect of a permit")?),
            housing: Some(long("Staying with relatives for now")?),
            health_needs: rng
                .random_bool(0.3)
                .then(|| long("Needs regular follow-up for hypertension"))
                .transpose()?,
            psychosocial_needs: rng
                .random_bool(0.2)
                .then(|| long("Signs of distress after the journey; counselling advised"))
                .transpose()?,
            family_situation: Some(long(&format!(
                "Household of {} on return",
                case.members.len()
            ))?),
            priorities: Some(long(
                "A small business of my own, and school for the children",
            )?),
        }),
    )?;
    story.run(a.reintegration, Command::StartReintegration)?;
    baseline_survey(story, a, principal)?;
    if !story.wait(rng, 5, 25) {
        return Ok(());
    }
    // The plan: an allowance on arrival, a business, and more where the household needs it.
    let case = story.case()?;
    let people = case.members.len() as i64;
    let mut items = vec![
        PlanItem {
            item_id: PlanItemId(rid(rng, story.t)),
            assistance: AssistanceType::ReintegrationAllowance,
            form: AssistanceForm::Cash,
            description: text("Reintegration allowance on arrival")?,
            beneficiary: None,
            value: eur(61_500 * people)?,
            provider: None,
            due: Some(on + Duration::days(30)),
            budget_line: None,
        },
        PlanItem {
            item_id: PlanItemId(rid(rng, story.t)),
            assistance: AssistanceType::InKindBusinessSetUp,
            form: AssistanceForm::InKind,
            description: text(
                [
                    "Sewing machines and cloth for a tailoring workshop",
                    "Seeds, tools and a water pump for market gardening",
                    "Stock and a kiosk for a grocery",
                    "Equipment for a hair salon",
                ]
                .choose(rng)
                .copied()
                .unwrap_or("Stock and a kiosk for a grocery"),
            )?,
            beneficiary: Some(principal),
            value: eur(rng.random_range(120_000..=200_000))?,
            provider: Some(text("Local supplier chosen with the returnee")?),
            due: Some(on + Duration::days(120)),
            budget_line: None,
        },
    ];
    if case
        .members
        .iter()
        .any(|m| !m.details.date_of_birth.is_adult_on(on))
    {
        items.push(PlanItem {
            item_id: PlanItemId(rid(rng, story.t)),
            assistance: AssistanceType::EducationSupport,
            form: AssistanceForm::Service,
            description: text("School fees and uniforms for the first year")?,
            beneficiary: None,
            value: eur(40_000)?,
            provider: Some(text("Public school of the district")?),
            due: Some(on + Duration::days(60)),
            budget_line: None,
        });
    }
    let vulnerable = case
        .members
        .iter()
        .any(|m| !m.details.vulnerabilities.is_empty());
    if vulnerable {
        items.push(PlanItem {
            item_id: PlanItemId(rid(rng, story.t)),
            assistance: AssistanceType::PsychosocialSupport,
            form: AssistanceForm::Service,
            description: text("Twelve sessions with a psychosocial counsellor")?,
            beneficiary: Some(principal),
            value: eur(30_000)?,
            provider: Some(text("Partner NGO, psychosocial service")?),
            due: Some(on + Duration::days(180)),
            budget_line: None,
        });
    }
    // One plan in ten goes above the cap, as an exception with its reason.
    let cap = plan_cap(&case, story.programme, on).map_or(i64::MAX, |m| m.amount_minor);
    let total: i64 = items.iter().map(|i| i.value.amount_minor).sum();
    let cap_exception = if rng.random_bool(0.1) || total > cap {
        items.push(PlanItem {
            item_id: PlanItemId(rid(rng, story.t)),
            assistance: AssistanceType::MedicalCare,
            form: AssistanceForm::Service,
            description: text("Surgery not covered by public health insurance")?,
            beneficiary: Some(principal),
            value: eur((cap - total).clamp(0, 500_000) + 80_000)?,
            provider: Some(text("Regional hospital")?),
            due: Some(on + Duration::days(45)),
            budget_line: None,
        });
        Some(long(
            "Urgent surgery for the principal applicant; no other provider covers it.",
        )?)
    } else {
        None
    };
    // One plan in four adds a project for the community the household returns to (within
    // the cap, and small enough to need no second signature), whose deliveries tell the
    // people it reaches; drawn from the case's own numbers, so that the rest of the demo
    // stays as it was.
    let mut own = StdRng::seed_from_u64(case.id.0.as_u128() as u64);
    let community_value = own.random_range(40_000..=100_000);
    let planned: i64 = items.iter().map(|i| i.value.amount_minor).sum();
    if own.random_bool(0.25) && (cap_exception.is_some() || planned + community_value <= cap) {
        items.push(PlanItem {
            item_id: PlanItemId(rid(&mut own, story.t)),
            assistance: AssistanceType::CommunityAssistance,
            form: AssistanceForm::InKind,
            description: text(
                [
                    "Equipment for the village health post",
                    "Repairs to two classrooms of the primary school",
                    "Tools for the community's vocational workshop",
                    "A well and a pump for the neighbourhood",
                ]
                .choose(&mut own)
                .copied()
                .unwrap_or("A well and a pump for the neighbourhood"),
            )?,
            beneficiary: None,
            value: eur(community_value)?,
            provider: Some(text("Community committee with a local contractor")?),
            due: Some(on + Duration::days(150)),
            budget_line: None,
        });
    }
    // Each item on the first budget line that pays for it and has room for it; where no
    // line has enough left, the plan says why it may take more, for the approver.
    let country = &case.proposal.country_of_return;
    let mut on_lines: BTreeMap<BudgetLineId, i64> = BTreeMap::new();
    let left = |line: BudgetLineId, on_lines: &BTreeMap<BudgetLineId, i64>| {
        story.programme.line_limit(line).unwrap_or(0)
            - story.elsewhere.get(&line).copied().unwrap_or(0)
            - on_lines.get(&line).copied().unwrap_or(0)
    };
    for item in &mut items {
        item.budget_line = line_for(
            story.programme,
            item.assistance,
            country,
            on,
            item.value.amount_minor,
            |line| left(line, &on_lines),
        );
        if let Some(line) = item.budget_line {
            *on_lines.entry(line).or_insert(0) += item.value.amount_minor;
        }
    }
    let over_budget = on_lines.keys().any(|line| left(*line, &on_lines) < 0);
    let budget_exception = over_budget
        .then(|| long("The line has run out this year; the donor agreed by letter to a top-up for this household."))
        .transpose()?;
    story.run(
        a.reintegration,
        Command::DraftPlan(PlanDraft {
            items: items.clone(),
            cap_exception: cap_exception.clone(),
            budget_exception: budget_exception.clone(),
        }),
    )?;
    let respond = |story: &mut Story, version: u32, answer: PlanAnswer, words: Option<&str>| {
        story.run(
            a.reintegration,
            Command::RespondToPlan(PlanResponse {
                version,
                person_id: principal,
                given_by,
                answer,
                own_words: words.map(long).transpose()?,
            }),
        )
    };
    let mut version = 1;
    if rng.random_bool(0.15) {
        respond(
            story,
            version,
            PlanAnswer::ChangeRequested,
            Some("I would rather have tools than cash for the business."),
        )?;
        story.run(
            a.return_approver,
            Command::ReturnPlan {
                version,
                reason: long("Redraft with the returnee's choice of in-kind support.")?,
            },
        )?;
        version += 1;
        story.run(
            a.reintegration,
            Command::DraftPlan(PlanDraft {
                items: items.clone(),
                cap_exception,
                budget_exception,
            }),
        )?;
    }
    // Some plans wait today: half of them for the returnee's answer (chosen by the case's
    // id, so that the demo's other stories draw the same numbers), the others for the
    // approver.
    let waits_today = at(story, Stage::Reintegration)? && rng.random_bool(0.4);
    if waits_today && story.case()?.id.0.as_u128() % 2 == 0 {
        return Ok(());
    }
    respond(story, version, PlanAnswer::Agreed, None)?;
    if waits_today || !story.wait(rng, 1, 10) {
        return Ok(());
    }
    story.run(
        a.return_approver,
        Command::ApprovePlan {
            version,
            comment: Some(long("Approved; within the programme's package.")?),
        },
    )?;
    if !story.wait(rng, 1, 10) {
        return Ok(());
    }
    // The allowance in cash, in euros.
    deliver(
        rng,
        story,
        a,
        &items[0],
        DeliveryChannel::CashToReturnee,
        None,
    )?;
    if at(story, Stage::Reintegration)? || !story.wait(rng, 20, 60) {
        return Ok(());
    }
    // The business set-up paid to a vendor, in the local currency where there is one.
    deliver(
        rng,
        story,
        a,
        &items[1],
        DeliveryChannel::PaidToVendor,
        local_currency(c.code),
    )?;
    story.run(a.reintegration, Command::StartMonitoring)?;
    if !story.wait(rng, 30, 150) {
        return Ok(());
    }
    // The rest: delivered, declined by the returnee, or closed with a reason.
    let community = |i: &&PlanItem| i.assistance == AssistanceType::CommunityAssistance;
    for item in items[2..].iter().filter(|i| !community(i)) {
        match rng.random_range(0..10) {
            0 => story.run(
                a.reintegration,
                Command::DeclineAssistance(Decline {
                    person_id: principal,
                    item_id: Some(item.item_id),
                    own_words: Some(long("We do not need this any more, thank you.")?),
                }),
            )?,
            1 => story.run(
                a.reintegration,
                Command::CloseItem {
                    item_id: item.item_id,
                    reason: long("Covered by a public programme instead.")?,
                },
            )?,
            _ => deliver(rng, story, a, item, DeliveryChannel::PaidToVendor, None)?,
        }
    }
    // The community's project, delivered with the case's own numbers.
    for item in items.iter().filter(community) {
        deliver(
            &mut own,
            story,
            a,
            item,
            DeliveryChannel::PaidToVendor,
            None,
        )?;
    }
    let held = follow_ups(rng, story, a, principal, ending)?;
    if held != Some(false) || ending != Ending::Completed || !story.wait(rng, 1, 20) {
        return Ok(());
    }
    story.run(
        a.reintegration,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
    )
}

const FOLLOW_UP_NOTES: [&str; 4] = [
    "The workshop has regular customers; income covers rent and food.",
    "Still looking for steady work; the family helps with housing.",
    "The children are back at school; worried about debts from the journey.",
    "Feels settled; wants a second machine for the business.",
];

/// The numbers a returnee's survey answers are drawn from (from the returnee, and the
/// day), so that the stories' other draws stay as they were; and how well they are doing
/// at first, 0 to 1 (most do better with time).
fn returnee_level(principal: PersonId) -> (u64, f64) {
    let person = principal.0.as_u128();
    let seed = (person as u64) ^ ((person >> 64) as u64);
    (seed, StdRng::seed_from_u64(seed).random_range(0.15..0.6))
}

/// The programme's survey answered with the needs assessment, before the first
/// follow-up's window opens: the returnee's baseline, for about seven in ten (the others
/// were not asked, or the programme asks none).
fn baseline_survey(story: &mut Story, a: &Actors, principal: PersonId) -> Result<()> {
    use homeward_domain::case::monitoring::{ContactResult, FollowUp, FollowUpMode};
    let Some((survey, digest)) = story.survey else {
        return Ok(());
    };
    let (seed, level) = returnee_level(principal);
    let mut own = StdRng::seed_from_u64(seed ^ 0xBA5E_11AE);
    if !own.random_bool(0.7) {
        return Ok(());
    }
    let answers = answered(&mut own, survey, digest, level)?;
    let case = story.case()?;
    let language = case
        .member(principal)
        .and_then(|m| m.details.languages.first().cloned());
    story.run(
        a.monitoring,
        Command::RecordFollowUp(FollowUp {
            follow_up_id: FollowUpId(rid(&mut own, story.t)),
            mode: FollowUpMode::Visit,
            result: ContactResult::Reached,
            with: vec![principal],
            language,
            notes: None,
            services: vec![],
            survey: Some(answers),
        }),
    )
}

/// The schedule's follow-ups as time passes: most held in their window, some late, a few
/// skipped (missed, or overdue today), some returnees tried and not reached at first, and
/// a few never again (the case closes as lost contact). A story that ends in monitoring
/// stops before its last follow-up. `Some(true)` when the case was closed, `None` when
/// the story reached today first.
fn follow_ups(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    principal: PersonId,
    ending: Ending,
) -> Result<Option<bool>> {
    use homeward_domain::case::monitoring::{
        ContactResult, FollowUp, FollowUpMode, ServiceCheck, ServiceReceived,
    };
    use homeward_domain::case::referrals::ReferralStatus;
    let case = story.case()?;
    let Some(arrived) = case.dates.arrived else {
        return Ok(None);
    };
    let language = case
        .member(principal)
        .and_then(|m| m.details.languages.first().cloned());
    let slots = case.monitoring.scheduled(arrived.date_naive());
    let completes = ending == Ending::Completed;
    let held = match completes {
        true => slots.len(),
        false => rng.random_range(0..slots.len().max(1)),
    };
    let loses_contact = !completes && rng.random_bool(0.15);
    let (seed, baseline) = returnee_level(principal);
    let mut reached = 0u32;
    let mut attempt = |rng: &mut StdRng, story: &mut Story, result: ContactResult| {
        let survey = match (result, story.survey) {
            (ContactResult::Reached, Some((s, digest))) => {
                reached += 1;
                let level = (baseline + 0.12 * f64::from(reached)).min(0.95);
                let mut own = StdRng::seed_from_u64(seed ^ story.t.timestamp_millis() as u64);
                Some(answered(&mut own, s, digest, level)?)
            }
            _ => None,
        };
        // A returnee reached is asked about the services they were referred for.
        let services: Vec<ServiceCheck> = match result {
            ContactResult::Reached => story
                .case()?
                .referrals
                .referrals
                .values()
                .filter(|r| r.was_sent())
                .map(|r| ServiceCheck {
                    referral_id: r.request.referral_id,
                    received: match r.status {
                        ReferralStatus::Delivered | ReferralStatus::Closed => {
                            ServiceReceived::Received
                        }
                        ReferralStatus::InProgress | ReferralStatus::Accepted => {
                            ServiceReceived::Partly
                        }
                        _ => ServiceReceived::NotReceived,
                    },
                })
                .collect(),
            _ => vec![],
        };
        let cmd = Command::RecordFollowUp(FollowUp {
            survey,
            follow_up_id: FollowUpId(rid(rng, story.t)),
            mode: *[
                FollowUpMode::Visit,
                FollowUpMode::Phone,
                FollowUpMode::Remote,
            ]
            .choose(rng)
            .unwrap_or(&FollowUpMode::Phone),
            result,
            with: match result.is_contact() {
                true => vec![principal],
                false => vec![],
            },
            language: language.clone().filter(|_| result.is_contact()),
            notes: match result {
                ContactResult::Reached => {
                    FOLLOW_UP_NOTES.choose(rng).map(|n| long(n)).transpose()?
                }
                _ => None,
            },
            services,
        });
        story.run(a.monitoring, cmd)
    };
    for (n, slot) in slots.iter().enumerate().take(held) {
        let last = n + 1 == slots.len();
        if !completes && !last && rng.random_bool(0.15) {
            continue;
        }
        // Within the window when the case completes; up to three weeks late otherwise.
        let late = if completes { 0 } else { 20 };
        let span = (slot.closes - slot.opens).num_days().max(0) + late;
        let day = slot.opens + Duration::days(rng.random_range(0..=span));
        let at = day
            .and_hms_opt(9, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(story.t)
            + Duration::minutes(rng.random_range(0..480));
        if !story.until(at) {
            return Ok(None);
        }
        if loses_contact {
            loop {
                attempt(rng, story, ContactResult::NotReached)?;
                if story.case()?.stage == Stage::Closed {
                    return Ok(Some(true));
                }
                if !story.wait(rng, 3, 10) {
                    return Ok(None);
                }
            }
        }
        if rng.random_bool(0.25) {
            attempt(rng, story, ContactResult::NotReached)?;
            if !story.wait(rng, 1, 4) {
                return Ok(None);
            }
        }
        attempt(rng, story, ContactResult::Reached)?;
    }
    // Where the story stops in monitoring, some returnees were not reached at the last
    // attempt (the queue of those not reached).
    if let Some(next) = slots
        .get(held)
        .filter(|_| !completes && rng.random_bool(0.5))
    {
        let at = next.opens.and_hms_opt(11, 0, 0).map(|t| t.and_utc());
        if let Some(at) = at
            && story.until(at)
        {
            attempt(rng, story, ContactResult::NotReached)?;
        }
    }
    Ok(Some(false))
}

/// A survey answered by a returnee doing about as well as `level` (0 to 1): each scored
/// question's option nearest to it, give or take, now and then "does not know"; the
/// questions asked as their conditions say; scored as the application scores them.
fn answered(
    rng: &mut StdRng,
    survey: &homeward_domain::survey::Survey,
    digest: &str,
    level: f64,
) -> Result<homeward_domain::survey::SurveyAnswers> {
    use homeward_domain::survey::{Answer, QuestionKind, Response, SurveyAnswers};
    let mut answers = BTreeMap::new();
    for q in &survey.questions {
        if let Some(c) = &q.relevant
            && !c.holds(answers.get(c.question()))
        {
            continue;
        }
        let choices = q.kind.choices();
        if choices.is_empty() {
            continue;
        }
        let target = (level + rng.random_range(-0.25..0.25)).clamp(0.0, 1.0);
        let scored: Vec<_> = choices.iter().filter(|c| c.score.is_some()).collect();
        let unscored: Vec<_> = choices.iter().filter(|c| c.score.is_none()).collect();
        let pick = if scored.is_empty() || (!unscored.is_empty() && rng.random_bool(0.04)) {
            choices.choose(rng)
        } else {
            scored.into_iter().min_by(|a, b| {
                let d = |c: &&homeward_domain::survey::Choice| {
                    (c.score.map_or(0.0, |s| s.value()) - target).abs()
                };
                d(a).total_cmp(&d(b))
            })
        };
        let Some(pick) = pick else { continue };
        let answer = match q.kind {
            QuestionKind::SelectMultiple { .. } => Answer::Choices([pick.name.clone()].into()),
            _ => Answer::Choice(pick.name.clone()),
        };
        answers.insert(q.name.clone(), answer);
    }
    let response = Response {
        key: survey.key.clone(),
        version: survey.version,
        answers,
    };
    let scores = survey
        .score(&response)
        .map_err(|v| AppError::internal(format!("the demo's survey answers: {v:?}")))?;
    Ok(SurveyAnswers {
        response,
        digest: digest.to_string(),
        scores,
    })
}

/// Delivers an item in full, in one tranche; countersigned when the programme needs it.
fn deliver(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    item: &PlanItem,
    channel: DeliveryChannel,
    local: Option<(&str, &str, &str)>,
) -> Result<()> {
    let delivery_id = DeliveryId(rid(rng, story.t));
    let (amount, exchange) = match local {
        Some((code, rate, inverse)) => {
            let rate = ExchangeRate::parse(rate).internal("building the demo")?;
            let inverse = ExchangeRate::parse(inverse).internal("building the demo")?;
            let currency = CurrencyCode::parse(code).internal("building the demo")?;
            let mut amount = inverse
                .convert(&item.value, &currency)
                .ok_or_else(|| AppError::internal("building the demo: a conversion"))?;
            // Rounding can put the conversion above the item: pay a little less.
            while amount.amount_minor > 0
                && rate
                    .convert(&amount, &item.value.currency)
                    .is_some_and(|m| m.amount_minor > item.value.amount_minor)
            {
                amount.amount_minor -= 1;
            }
            let on = story.t.date_naive();
            (amount, Some(Exchange { rate, on }))
        }
        None => (item.value.clone(), None),
    };
    story.run(
        a.reintegration,
        Command::RecordDelivery(Delivery {
            delivery_id,
            item_id: item.item_id,
            channel,
            amount,
            exchange,
            proof: Some(text(&format!(
                "Receipt {}",
                rng.random_range(10_000..99_999)
            ))?),
            people_reached: (item.assistance == AssistanceType::CommunityAssistance)
                .then(|| rng.random_range(40..=400)),
        }),
    )?;
    countersign(rng, story, a, delivery_id)?;
    // What the rate left over, paid in euros.
    let rest = item.value.amount_minor - story.case()?.reintegration.standing_of(item.item_id);
    if rest > 0 {
        let delivery_id = DeliveryId(rid(rng, story.t));
        story.run(
            a.reintegration,
            Command::RecordDelivery(Delivery {
                delivery_id,
                item_id: item.item_id,
                channel: DeliveryChannel::CashToReturnee,
                amount: eur(rest)?,
                exchange: None,
                proof: Some(text("Balance paid in euros")?),
                people_reached: None,
            }),
        )?;
        countersign(rng, story, a, delivery_id)?;
    }
    Ok(())
}

fn countersign(rng: &mut StdRng, story: &mut Story, a: &Actors, id: DeliveryId) -> Result<()> {
    let awaits = story
        .case()?
        .reintegration
        .delivery(id)
        .is_some_and(|d| d.awaits_signature());
    if awaits && story.wait(rng, 0, 3) {
        story.run(
            a.return_approver,
            Command::CountersignDelivery { delivery_id: id },
        )?;
    }
    Ok(())
}
