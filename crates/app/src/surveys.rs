//! Survey definitions (issue #25): administrators import them from XLSForm workbooks;
//! staff read them and download them back. A version, once stored, is never changed: an
//! import that changes anything is the survey's next version, and one that changes
//! nothing is the version already stored.

use chrono::{DateTime, Utc};
use homeward_domain::ids::UserId;
use homeward_domain::survey::{Response, Survey, SurveyAnswers};
use homeward_store::SurveyRow;
use sha2::Digest;

use crate::auth::Principal;
use crate::{App, AppError, Internally, Result, now};

/// A stored version of a survey.
#[derive(Debug, Clone)]
pub struct SurveyVersion {
    pub survey: Survey,
    /// SHA-256 of the definition as stored, in hex: what scores name.
    pub digest: String,
    pub imported_by: UserId,
    pub imported_at: DateTime<Utc>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub enum SurveyImport {
    /// A new version, stored.
    Added(SurveyVersion),
    /// The workbook is the latest version as stored: nothing new.
    Unchanged(SurveyVersion),
}

impl SurveyImport {
    pub fn version(&self) -> &SurveyVersion {
        match self {
            SurveyImport::Added(v) | SurveyImport::Unchanged(v) => v,
        }
    }
}

fn digest(json: &str) -> String {
    sha2::Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored version, read only if it is as it was stored and still a valid survey.
fn parse(row: SurveyRow) -> Result<SurveyVersion> {
    let what = format!("survey {} version {}", row.survey_key, row.version);
    if digest(&row.definition) != row.digest {
        return Err(AppError::internal(format!(
            "{what} does not match its digest"
        )));
    }
    let survey: Survey = serde_json::from_str(&row.definition).internal(&what)?;
    if survey.key != row.survey_key || i64::from(survey.version) != row.version {
        return Err(AppError::internal(format!("{what} holds another version")));
    }
    Ok(SurveyVersion {
        survey,
        digest: row.digest,
        imported_by: row.imported_by,
        imported_at: row.imported_at,
    })
}

/// A survey written as a workbook, on a blocking thread.
async fn workbook_of(survey: Survey) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || crate::xlsform::survey_to_xlsx(&survey))
        .await
        .internal("writing a survey workbook")?
        .internal("writing a survey workbook")
}

fn may_read(p: &Principal) -> Result<()> {
    if p.actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "surveys are read by the programme's staff".into(),
        ))
    }
}

impl App {
    /// Imports an XLSForm workbook as the next version of its survey (administrators):
    /// whole, or not at all with every problem at its sheet, line and column.
    pub async fn import_survey(&self, p: &Principal, xlsx: &[u8]) -> Result<SurveyImport> {
        if !p.actor.may_administer() {
            return Err(AppError::Forbidden(
                "importing surveys is for administrators".into(),
            ));
        }
        // Unpacking and reading a workbook is work for a blocking thread.
        let bytes = xlsx.to_vec();
        let read = tokio::task::spawn_blocking(move || crate::xlsform::survey_from_xlsx(&bytes, 1))
            .await
            .internal("reading a survey workbook")?
            .map_err(AppError::Invalid)?;
        self.add_survey_version(Some(p), read).await
    }

    /// Stores `read` as the next version of its survey, unless it is the latest one as
    /// stored. `p` is `None` only for the demo's set-up.
    pub async fn add_survey_version(
        &self,
        p: Option<&Principal>,
        read: Survey,
    ) -> Result<SurveyImport> {
        let latest = self.store().survey(&read.key, None).await?;
        let next = match latest {
            Some(row) => {
                let latest = parse(row)?;
                if latest.survey.same_as(read.definition()) {
                    return Ok(SurveyImport::Unchanged(latest));
                }
                latest.survey.version.checked_add(1).ok_or_else(|| {
                    AppError::internal(format!("survey {} has no next version", read.key))
                })?
            }
            None => 1,
        };
        let mut definition = read.definition().clone();
        definition.version = next;
        let survey = Survey::new(definition).map_err(|invalid| AppError::Invalid(invalid.0))?;
        let json = serde_json::to_string(&survey).internal("survey")?;
        let version = SurveyVersion {
            digest: digest(&json),
            imported_by: p.map_or(UserId(uuid::Uuid::nil()), |p| p.actor.user_id),
            imported_at: now(),
            survey,
        };
        let row = SurveyRow {
            survey_key: version.survey.key.clone(),
            version: i64::from(next),
            title: version
                .survey
                .languages
                .first()
                .and_then(|l| version.survey.title.get(l))
                .cloned()
                .unwrap_or_default(),
            definition: json,
            digest: version.digest.clone(),
            imported_by: version.imported_by,
            imported_at: version.imported_at,
        };
        match self.store().insert_survey(&row).await {
            Ok(()) => {}
            // Someone imported a version of this survey meanwhile: the same, or another.
            Err(homeward_store::StoreError::Duplicate(_)) => {
                if let Some(now) = self.store().survey(&row.survey_key, None).await? {
                    let now = parse(now)?;
                    if now.survey.same_as(version.survey.definition()) {
                        return Ok(SurveyImport::Unchanged(now));
                    }
                }
                return Err(AppError::Duplicate(format!(
                    "version {next} of survey {}",
                    row.survey_key
                )));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit_admin(
            p,
            "survey.import",
            serde_json::json!({
                "survey": row.survey_key,
                "version": next,
                "digest": row.digest,
            }),
        )
        .await?;
        Ok(SurveyImport::Added(version))
    }

    /// The template shaped like IOM's Reintegration Sustainability Survey, as an XLSForm
    /// workbook for a programme to adapt (its weights are placeholders) and import.
    pub async fn survey_template_xlsx(&self, p: &Principal) -> Result<Vec<u8>> {
        may_read(p)?;
        let template = crate::survey_template::reintegration_sustainability()
            .map_err(|e| AppError::internal(e.to_string()))?;
        workbook_of(template).await
    }

    /// The survey answers a command carries, scored here whatever scores it came with:
    /// a follow-up's under the survey's latest version, or the version that was the
    /// latest when the follow-up happened (a paper survey recorded later); a corrected
    /// follow-up's under the version they were given under (the domain holds it to the
    /// original's).
    pub(crate) async fn score_surveys(
        &self,
        cmd: homeward_domain::Command,
        occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<homeward_domain::Command> {
        use homeward_domain::{Command, Event};
        Ok(match cmd {
            Command::RecordFollowUp(mut f) => {
                if let Some(a) = f.survey.take() {
                    let versions = self.store().survey_versions(&a.response.key).await?;
                    let latest = versions.last().map(|v| v.0);
                    let then = occurred_at
                        .and_then(|at| versions.iter().rev().find(|v| v.1 <= at))
                        .map(|v| v.0);
                    let given = i64::from(a.response.version);
                    if let Some(latest) = latest
                        && latest != given
                        && then != Some(given)
                    {
                        return Err(AppError::invalid(
                            homeward_domain::Violation::new(
                                "answer.version",
                                format!(
                                    "{} has a later version ({}): ask that one",
                                    a.response.key, latest
                                ),
                            )
                            .at("survey/version"),
                        ));
                    }
                    f.survey = Some(self.scored(a.response).await?);
                }
                Command::RecordFollowUp(f)
            }
            Command::Correct {
                corrects,
                occurred_at,
                replacement,
                reason,
            } => {
                let replacement = match *replacement {
                    Event::FollowUpRecorded(mut f) => {
                        if let Some(a) = f.survey.take() {
                            f.survey = Some(self.scored(a.response).await?);
                        }
                        Event::FollowUpRecorded(f)
                    }
                    other => other,
                };
                Command::Correct {
                    corrects,
                    occurred_at,
                    replacement: Box::new(replacement),
                    reason,
                }
            }
            other => other,
        })
    }

    /// A survey's answers scored under the version they were given under, as a follow-up
    /// keeps them; or every answer that does not fit, at `survey/answers/<question>`.
    pub async fn answer_survey(&self, p: &Principal, response: Response) -> Result<SurveyAnswers> {
        may_read(p)?;
        self.scored(response).await
    }

    async fn scored(&self, response: Response) -> Result<SurveyAnswers> {
        let unknown = || {
            AppError::Invalid(vec![
                homeward_domain::Violation::new(
                    "survey.unknown",
                    format!(
                        "there is no version {} of a survey {}",
                        response.version, response.key
                    ),
                )
                .at("survey/version"),
            ])
        };
        if !homeward_domain::survey::is_name(&response.key) {
            return Err(unknown());
        }
        let row = self
            .store()
            .survey(&response.key, Some(i64::from(response.version)))
            .await?
            .ok_or_else(unknown)?;
        let v = parse(row)?;
        let scores = v.survey.score(&response).map_err(|vs| {
            AppError::Invalid(
                vs.into_iter()
                    .map(|x| {
                        let at = format!("survey/{}", x.field.as_deref().unwrap_or("answers"));
                        x.at(at)
                    })
                    .collect(),
            )
        })?;
        Ok(SurveyAnswers {
            response,
            digest: v.digest,
            scores,
        })
    }

    /// A stored version, for the application's own reading (reports).
    pub(crate) async fn stored_survey(&self, key: &str, version: i64) -> Result<Option<Survey>> {
        match self.store().survey(key, Some(version)).await? {
            Some(row) => Ok(Some(parse(row)?.survey)),
            None => Ok(None),
        }
    }

    /// Every version of every survey, by survey and version.
    pub async fn surveys(&self, p: &Principal) -> Result<Vec<SurveyVersion>> {
        may_read(p)?;
        self.store()
            .list_surveys()
            .await?
            .into_iter()
            .map(parse)
            .collect()
    }

    /// A version of a survey; without `version`, the latest.
    pub async fn survey(
        &self,
        p: &Principal,
        key: &str,
        version: Option<u32>,
    ) -> Result<SurveyVersion> {
        may_read(p)?;
        let row = self
            .store()
            .survey(key, version.map(i64::from))
            .await?
            .ok_or(AppError::NotFound)?;
        parse(row)
    }

    /// A version of a survey as an XLSForm workbook that imports as the same survey.
    pub async fn survey_xlsx(
        &self,
        p: &Principal,
        key: &str,
        version: Option<u32>,
    ) -> Result<(SurveyVersion, Vec<u8>)> {
        let v = self.survey(p, key, version).await?;
        let bytes = workbook_of(v.survey.clone()).await?;
        Ok((v, bytes))
    }
}
