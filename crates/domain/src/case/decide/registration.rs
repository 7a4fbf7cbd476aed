//! Registering a case: the checks of a new case's people, proposal and dates.

use super::*;

/// The earliest date of birth accepted.
use crate::person::EARLIEST_BIRTH_YEAR;

/// Nothing a programme records happened before this year.
pub(super) const EARLIEST_YEAR: i32 = 1950;

pub(super) fn check_time(case_registered: Option<DateTime<Utc>>, ctx: &Context, c: &mut Check) {
    if ctx.occurred_at.year() < EARLIEST_YEAR {
        c.push(
            Violation::new(
                "time.too_early",
                format!("the time it happened is before {EARLIEST_YEAR}"),
            )
            .at("occurred_at"),
        );
    }
    if ctx.occurred_at > ctx.now {
        c.push(
            Violation::new(
                "time.in_future",
                "the time it happened is in the future; record what has happened, afterwards",
            )
            .at("occurred_at"),
        );
    }
    if let Some(reg) = case_registered
        && ctx.occurred_at < reg
    {
        c.push(
            Violation::new(
                "time.before_registration",
                format!(
                    "the time it happened is before the case was registered ({})",
                    reg.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .at("occurred_at"),
        );
    }
}

pub(crate) fn check_person(d: &PersonDetails, now: DateTime<Utc>, path: &str, c: &mut Check) {
    let today = now.date_naive();
    match d.date_of_birth.earliest() {
        Some(earliest) if earliest > today => c.push(
            Violation::new(
                "person.born_in_future",
                "the date of birth is in the future",
            )
            .at(format!("{path}/date_of_birth")),
        ),
        Some(earliest)
            if earliest
                < NaiveDate::from_ymd_opt(EARLIEST_BIRTH_YEAR, 1, 1).unwrap_or(earliest) =>
        {
            c.push(
                Violation::new(
                    "person.born_too_early",
                    format!("the date of birth is before {EARLIEST_BIRTH_YEAR}"),
                )
                .at(format!("{path}/date_of_birth")),
            )
        }
        None => c.push(
            Violation::new(
                "person.invalid_birth_year",
                "the estimated year of birth is not a valid year",
            )
            .at(format!("{path}/date_of_birth")),
        ),
        _ => {}
    }
    if d.languages.is_empty() {
        c.push(
            Violation::new(
                "person.no_language",
                "record at least one language the person understands",
            )
            .at(format!("{path}/languages")),
        );
    }
}

pub(super) fn check_members(members: &[Member], now: DateTime<Utc>, c: &mut Check) {
    if members.is_empty() {
        c.push(Violation::new("case.no_members", "a case has a principal applicant").at("members"));
    }
    let principals = members
        .iter()
        .filter(|m| m.relationship == Relationship::Principal)
        .count();
    if !members.is_empty() && principals != 1 {
        c.push(
            Violation::new(
                "case.one_principal",
                format!("a case has exactly one principal applicant; found {principals}"),
            )
            .at("members"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        if !seen.insert(m.person_id) {
            c.push(
                Violation::new("person.duplicate", "this person is listed twice")
                    .at(format!("members/{i}/person_id")),
            );
        }
        check_person(&m.details, now, &format!("members/{i}/details"), c);
    }
}

pub(super) fn check_proposal(
    p: &Proposal,
    host: &crate::values::CountryCode,
    s: &ProgrammeSettings,
    path: &str,
    c: &mut Check,
) {
    if &p.country_of_return == host {
        c.push(
            Violation::new(
                "proposal.return_to_host_country",
                "the country of return is the host country",
            )
            .at(format!("{path}/country_of_return")),
        );
    }
    if !s.return_countries.is_empty() && !s.return_countries.contains(&p.country_of_return) {
        c.push(
            Violation::new(
                "programme.country_of_return",
                format!(
                    "the programme does not cover returns to {}",
                    p.country_of_return.name()
                ),
            )
            .at(format!("{path}/country_of_return")),
        );
    }
    for (i, item) in p.assistance_package.iter().enumerate() {
        if let Some(m) = &item.amount
            && m.currency != s.currency
        {
            c.push(
                Violation::new(
                    "money.programme_currency",
                    format!("amounts in this programme are in {}", s.currency),
                )
                .at(format!("{path}/assistance_package/{i}/amount/currency")),
            );
        }
    }
}

/// Decides the registration of a new case.
pub fn register(cmd: RegisterCase, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let mut c = Check::new();
    check_time(None, ctx, &mut c);
    check_members(&cmd.members, ctx.now, &mut c);
    if !ctx.programme.host_countries.contains(&cmd.host_country) {
        c.push(
            Violation::new(
                "programme.host_country",
                format!(
                    "the programme does not run in {}, the country of this office",
                    cmd.host_country.name()
                ),
            )
            .at("host_office"),
        );
    }
    check_proposal(
        &cmd.proposal,
        &cmd.host_country,
        ctx.programme,
        "proposal",
        &mut c,
    );
    c.finish()?;
    let mut members = cmd.members;
    // The principal applicant first.
    members.sort_by_key(|m| m.relationship != Relationship::Principal);
    let mut events = vec![Event::CaseRegistered(CaseRegistered {
        case_id: cmd.case_id,
        reference: cmd.reference,
        host_office: cmd.host_office,
        host_country: cmd.host_country,
        programme: cmd.programme,
        referral: cmd.referral,
        proposal: cmd.proposal,
    })];
    events.extend(members.into_iter().map(Event::MemberAdded));
    Ok(events)
}
