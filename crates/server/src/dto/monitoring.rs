//! Request bodies of monitoring (follow-ups), a case's caseworker and its notes.

use homeward_domain::case::monitoring::*;
use homeward_domain::ids::FollowUpId;

use super::*;

command_body!(CaseworkerIn {
    /// The user who owns the case from now on: active, with a role that works on cases,
    /// in the office that leads the case.
    user_id: Id,
});

command_body!(NoteIn {
    /// Generated when absent; give it to retry safely.
    note_id: Option<Id>,
    #[schema(value_type = LongText)]
    text: String,
    /// The kind of sensitive data it holds: only the roles that read that kind read it
    /// (and only they may write it). Everyone who reads the case reads it when absent.
    sensitivity: Option<homeward_domain::access::Sensitive>,
    /// A flag the note raises on the case.
    raises: Option<homeward_domain::case::records::CaseFlag>,
    /// A flag the note clears.
    clears: Option<homeward_domain::case::records::CaseFlag>,
});

impl NoteIn {
    pub fn parse(&self, p: &mut Parse) -> Option<homeward_domain::case::records::CaseNote> {
        let text = p.text("text", &self.text)?;
        Some(homeward_domain::case::records::CaseNote {
            note_id: homeward_domain::ids::NoteId(
                self.note_id.map_or_else(homeward_app::new_id, Uuid::from),
            ),
            text,
            sensitivity: self.sensitivity,
            raises: self.raises,
            clears: self.clears,
        })
    }
}

command_body!(FollowUpIn {
    /// Generated when absent; give it to retry safely.
    follow_up_id: Option<Id>,
    mode: FollowUpMode,
    /// Whether it reached the returnee; `lost_contact` and `deceased` close the case, as
    /// do the programme's number of failures in a row.
    result: ContactResult,
    /// The people of the case who took part; none when nobody was reached.
    #[serde(default)]
    with: Vec<Id>,
    /// ISO 639-1 or 639-3 code of the language it was held in.
    #[schema(value_type = Option<LanguageCode>)]
    language: Option<String>,
    /// Sensitive: read only by the roles that may read reintegration needs.
    #[schema(value_type = Option<OptionalLongText>)]
    notes: Option<String>,
    /// What the returnee said of the services of the case's referrals (sent ones),
    /// each once; only in a follow-up that reached them.
    #[serde(default)]
    services: Vec<ServiceCheck>,
    /// Sensitive: the programme's survey as the returnee answered it, under a version of
    /// it (`GET /api/surveys`); only in a follow-up that reached them. Scored by the
    /// server; each answer that does not fit is named at `#/survey/answers/<question>`.
    survey: Option<homeward_domain::survey::Response>,
});

impl FollowUpIn {
    pub fn parse(&self, p: &mut Parse) -> Option<FollowUp> {
        // Every field parsed before any is given up on: each invalid one is named.
        let language = self.language.as_deref().map(|l| p.language("language", l));
        let notes = p.opt_text("notes", &self.notes)?;
        let language = match language {
            Some(parsed) => Some(parsed?),
            None => None,
        };
        Some(FollowUp {
            follow_up_id: FollowUpId(
                self.follow_up_id
                    .map_or_else(homeward_app::new_id, Uuid::from),
            ),
            mode: self.mode,
            result: self.result,
            with: self
                .with
                .iter()
                .copied()
                .map(|Id(id)| PersonId(id))
                .collect(),
            language,
            notes,
            services: self.services.clone(),
            // Scored by the application once the case is found and the step allowed.
            survey: self
                .survey
                .clone()
                .map(homeward_domain::survey::SurveyAnswers::unscored),
        })
    }
}
