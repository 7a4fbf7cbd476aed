//! Columns decoded into the domain's types as a row is read (`from_row!`'s `field =>
//! decoder`): ids as their newtypes, stages and codes as the domain's enums, once, in the
//! store. A code the domain does not know is an error naming the column, not a default.

use homeward_domain::Stage;
use homeward_domain::case::reintegration::PlanWork;
use homeward_domain::ids::{CaseId, OfficeId, OrganisationId, PersonId, ProgrammeId, UserId};
use homeward_domain::person::Sex;
use uuid::Uuid;

type Decoded<T> = Result<T, String>;

pub(crate) fn case_id(id: Uuid) -> Decoded<CaseId> {
    Ok(CaseId(id))
}

pub(crate) fn person_id(id: Uuid) -> Decoded<PersonId> {
    Ok(PersonId(id))
}

pub(crate) fn office(id: Uuid) -> Decoded<OfficeId> {
    Ok(OfficeId(id))
}

pub(crate) fn opt_office(id: Option<Uuid>) -> Decoded<Option<OfficeId>> {
    Ok(id.map(OfficeId))
}

pub(crate) fn programme(id: Uuid) -> Decoded<ProgrammeId> {
    Ok(ProgrammeId(id))
}

pub(crate) fn organisation(id: Uuid) -> Decoded<OrganisationId> {
    Ok(OrganisationId(id))
}

pub(crate) fn user(id: Uuid) -> Decoded<UserId> {
    Ok(UserId(id))
}

pub(crate) fn opt_user(id: Option<Uuid>) -> Decoded<Option<UserId>> {
    Ok(id.map(UserId))
}

pub(crate) fn stage(code: String) -> Decoded<Stage> {
    Stage::from_code(&code).ok_or_else(|| format!("'{code}' is not a stage"))
}

pub(crate) fn opt_plan_work(code: Option<String>) -> Decoded<Option<PlanWork>> {
    code.map(|c| PlanWork::from_code(&c).ok_or_else(|| format!("'{c}' is not a plan's work")))
        .transpose()
}

/// A code written as the domain's serialisation writes it (`projection::code`).
pub(crate) fn sex(code: String) -> Decoded<Sex> {
    serde_json::from_value(serde_json::Value::String(code.clone()))
        .map_err(|_| format!("'{code}' is not a sex"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_an_error_naming_it() {
        assert_eq!(stage("arrived".into()), Ok(Stage::Arrived));
        assert_eq!(
            stage("flying".into()),
            Err("'flying' is not a stage".into())
        );
        assert_eq!(sex("female".into()), Ok(Sex::Female));
        assert!(sex("".into()).is_err());
        assert_eq!(opt_plan_work(None), Ok(None));
        assert!(opt_plan_work(Some("nap".into())).is_err());
        for w in PlanWork::ALL {
            assert_eq!(opt_plan_work(Some(w.code().into())), Ok(Some(w)));
        }
    }
}
