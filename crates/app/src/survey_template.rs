//! A survey template shaped like IOM's Reintegration Sustainability Survey (issue #25):
//! fifteen indicators across the three dimensions of sustainable reintegration
//! (economic: income sources, work, debt, food security, satisfaction with the economic
//! situation; social: housing, health care, education, documents and justice, social
//! protection; psychosocial: networks and participation, discrimination, safety,
//! distress, the wish to leave again), every label in English, French, Spanish and
//! Arabic.
//!
//! Its questions are Homeward's wording, not IOM's, and its weights are all 1:
//! placeholders. A programme sets the weights from IOM's official scoring sheet (or its
//! own) in the workbook and imports it; the title says so, and nothing here presents
//! them as IOM's. Its threshold of sustainability is left unset for the same reason.

use std::collections::BTreeMap;

use homeward_domain::survey::{
    Choice, Condition, Dimension, Indicator, Labels, Permille, Question, QuestionKind, Several,
    Skipped, Survey, SurveyDefinition,
};

/// The template's survey name.
pub const KEY: &str = "reintegration_sustainability";

const LANGUAGES: [&str; 4] = ["en", "fr", "es", "ar"];

type Text = [&'static str; 4];

fn labels(t: Text) -> Labels {
    LANGUAGES
        .iter()
        .zip(t)
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect()
}

fn choice(name: &str, score: Option<u16>, t: Text) -> Choice {
    Choice {
        name: name.into(),
        labels: labels(t),
        score: score.and_then(Permille::new),
    }
}

const DOES_NOT_SAY: Text = [
    "Does not know or prefers not to say",
    "Ne sait pas ou préfère ne pas répondre",
    "No sabe o prefiere no responder",
    "لا يعرف أو يفضّل عدم الإجابة",
];
const YES: Text = ["Yes", "Oui", "Sí", "نعم"];
const NO: Text = ["No", "Non", "No", "لا"];

/// The lists of options, by name.
fn lists() -> BTreeMap<&'static str, Vec<Choice>> {
    let dk = || choice("does_not_say", None, DOES_NOT_SAY);
    let never = ["Never", "Jamais", "Nunca", "أبدًا"];
    let sometimes = ["Sometimes", "Parfois", "A veces", "أحيانًا"];
    let often = ["Often", "Souvent", "A menudo", "غالبًا"];
    BTreeMap::from([
        (
            "yes_good",
            vec![
                choice("yes", Some(1000), YES),
                choice("no", Some(0), NO),
                dk(),
            ],
        ),
        (
            "yes_bad",
            vec![
                choice("yes", Some(0), YES),
                choice("no", Some(1000), NO),
                dk(),
            ],
        ),
        (
            "yes_no",
            vec![choice("yes", None, YES), choice("no", None, NO)],
        ),
        (
            "often_bad",
            vec![
                choice("never", Some(1000), never),
                choice("sometimes", Some(500), sometimes),
                choice("often", Some(0), often),
                dk(),
            ],
        ),
        (
            "often_good",
            vec![
                choice("often", Some(1000), often),
                choice("sometimes", Some(500), sometimes),
                choice("never", Some(0), never),
                dk(),
            ],
        ),
        (
            "satisfaction",
            vec![
                choice(
                    "very_dissatisfied",
                    Some(0),
                    [
                        "Very dissatisfied",
                        "Très insatisfait",
                        "Muy insatisfecho",
                        "غير راضٍ إطلاقًا",
                    ],
                ),
                choice(
                    "dissatisfied",
                    Some(250),
                    ["Dissatisfied", "Insatisfait", "Insatisfecho", "غير راضٍ"],
                ),
                choice(
                    "neutral",
                    Some(500),
                    [
                        "Neither satisfied nor dissatisfied",
                        "Ni satisfait ni insatisfait",
                        "Ni satisfecho ni insatisfecho",
                        "لا راضٍ ولا غير راضٍ",
                    ],
                ),
                choice(
                    "satisfied",
                    Some(750),
                    ["Satisfied", "Satisfait", "Satisfecho", "راضٍ"],
                ),
                choice(
                    "very_satisfied",
                    Some(1000),
                    [
                        "Very satisfied",
                        "Très satisfait",
                        "Muy satisfecho",
                        "راضٍ جدًا",
                    ],
                ),
                dk(),
            ],
        ),
        (
            "quality",
            vec![
                choice(
                    "very_poor",
                    Some(0),
                    ["Very poor", "Très mauvais", "Muy malo", "سيئ جدًا"],
                ),
                choice("poor", Some(333), ["Poor", "Mauvais", "Malo", "سيئ"]),
                choice("good", Some(667), ["Good", "Bon", "Bueno", "جيد"]),
                choice(
                    "very_good",
                    Some(1000),
                    ["Very good", "Très bon", "Muy bueno", "جيد جدًا"],
                ),
                dk(),
            ],
        ),
        (
            "access",
            vec![
                choice("no", Some(0), ["No", "Non", "No", "لا"]),
                choice(
                    "with_difficulty",
                    Some(500),
                    [
                        "Yes, with difficulty",
                        "Oui, difficilement",
                        "Sí, con dificultad",
                        "نعم، بصعوبة",
                    ],
                ),
                choice(
                    "easily",
                    Some(1000),
                    [
                        "Yes, easily",
                        "Oui, facilement",
                        "Sí, fácilmente",
                        "نعم، بسهولة",
                    ],
                ),
                dk(),
            ],
        ),
        (
            "income",
            vec![
                choice(
                    "none",
                    Some(0),
                    ["No income", "Aucun revenu", "Ningún ingreso", "لا دخل"],
                ),
                choice(
                    "family_support",
                    Some(250),
                    [
                        "Support from family or friends",
                        "Aide de la famille ou d'amis",
                        "Ayuda de familiares o amigos",
                        "دعم من الأسرة أو الأصدقاء",
                    ],
                ),
                choice(
                    "assistance",
                    Some(250),
                    [
                        "Aid or assistance",
                        "Aide ou assistance",
                        "Ayuda o asistencia",
                        "مساعدات أو معونة",
                    ],
                ),
                choice(
                    "casual_work",
                    Some(500),
                    [
                        "Casual or informal work",
                        "Travail occasionnel ou informel",
                        "Trabajo ocasional o informal",
                        "عمل مؤقت أو غير رسمي",
                    ],
                ),
                choice(
                    "regular_work",
                    Some(1000),
                    [
                        "Regular paid work",
                        "Emploi rémunéré régulier",
                        "Trabajo remunerado regular",
                        "عمل منتظم مدفوع الأجر",
                    ],
                ),
                choice(
                    "own_business",
                    Some(1000),
                    [
                        "Own business or farm",
                        "Entreprise ou exploitation propre",
                        "Negocio o granja propios",
                        "مشروع أو مزرعة خاصة",
                    ],
                ),
            ],
        ),
        (
            "stay",
            vec![
                choice(
                    "must_leave",
                    Some(0),
                    [
                        "I feel I must leave again",
                        "Je sens que je dois repartir",
                        "Siento que debo irme de nuevo",
                        "أشعر أنني مضطر إلى الرحيل مجددًا",
                    ],
                ),
                choice(
                    "not_sure",
                    Some(500),
                    ["Not sure", "Pas sûr", "No estoy seguro", "لست متأكدًا"],
                ),
                choice(
                    "can_stay",
                    Some(1000),
                    [
                        "I can stay and build my life here",
                        "Je peux rester et construire ma vie ici",
                        "Puedo quedarme y construir mi vida aquí",
                        "أستطيع البقاء وبناء حياتي هنا",
                    ],
                ),
                dk(),
            ],
        ),
    ])
}

/// (name, list or kind, scored by indicator, asked when, label)
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
    Text,
);

const QUESTIONS: [Row; 19] = [
    (
        "income_sources",
        "select_multiple income",
        Some("income_sources"),
        None,
        [
            "What are your household's sources of income now?",
            "Quelles sont aujourd'hui les sources de revenus de votre ménage ?",
            "¿Cuáles son ahora las fuentes de ingresos de su hogar?",
            "ما هي مصادر دخل أسرتك الآن؟",
        ],
    ),
    (
        "working",
        "select_one yes_good",
        Some("work"),
        None,
        [
            "Do you have work or an activity that brings in an income?",
            "Avez-vous un travail ou une activité qui vous rapporte un revenu ?",
            "¿Tiene un trabajo o una actividad que le genere ingresos?",
            "هل لديك عمل أو نشاط يدرّ عليك دخلًا؟",
        ],
    ),
    (
        "debt",
        "select_one yes_bad",
        Some("debt"),
        None,
        [
            "Do you have debts that you find hard to repay?",
            "Avez-vous des dettes que vous avez du mal à rembourser ?",
            "¿Tiene deudas que le cuesta pagar?",
            "هل عليك ديون يصعب عليك سدادها؟",
        ],
    ),
    (
        "food",
        "select_one often_bad",
        Some("food_security"),
        None,
        [
            "In the past month, how often did your household eat less because there was not enough food?",
            "Le mois dernier, combien de fois votre ménage a-t-il mangé moins faute de nourriture suffisante ?",
            "El mes pasado, ¿con qué frecuencia su hogar comió menos por no tener suficiente comida?",
            "في الشهر الماضي، كم مرة اضطرت أسرتك إلى تناول كمية أقل من الطعام لعدم كفايته؟",
        ],
    ),
    (
        "economic_situation",
        "select_one satisfaction",
        Some("economic_satisfaction"),
        None,
        [
            "How satisfied are you with your economic situation?",
            "Êtes-vous satisfait de votre situation économique ?",
            "¿Qué tan satisfecho está con su situación económica?",
            "ما مدى رضاك عن وضعك الاقتصادي؟",
        ],
    ),
    (
        "housing",
        "select_one quality",
        Some("housing"),
        None,
        [
            "How would you rate the housing you live in?",
            "Comment jugez-vous le logement où vous vivez ?",
            "¿Cómo valora la vivienda en la que vive?",
            "كيف تقيّم المسكن الذي تعيش فيه؟",
        ],
    ),
    (
        "health_care",
        "select_one access",
        Some("health"),
        None,
        [
            "Can you get health care when you or your family need it?",
            "Pouvez-vous obtenir des soins quand vous ou votre famille en avez besoin ?",
            "¿Puede recibir atención médica cuando usted o su familia la necesitan?",
            "هل يمكنك الحصول على الرعاية الصحية عندما تحتاجها أنت أو أسرتك؟",
        ],
    ),
    (
        "school_age_children",
        "select_one yes_no",
        None,
        None,
        [
            "Do you have children of school age?",
            "Avez-vous des enfants en âge d'aller à l'école ?",
            "¿Tiene hijos en edad escolar?",
            "هل لديك أطفال في سن الدراسة؟",
        ],
    ),
    (
        "schooling",
        "select_one access",
        Some("education"),
        Some(("school_age_children", "yes")),
        [
            "Can your children of school age go to school?",
            "Vos enfants en âge scolaire peuvent-ils aller à l'école ?",
            "¿Pueden sus hijos en edad escolar ir a la escuela?",
            "هل يستطيع أطفالك في سن الدراسة الذهاب إلى المدرسة؟",
        ],
    ),
    (
        "documents",
        "select_one yes_good",
        Some("documents_justice"),
        None,
        [
            "Do you have the identity documents you need (identity card, birth certificate)?",
            "Avez-vous les papiers d'identité dont vous avez besoin (carte d'identité, acte de naissance) ?",
            "¿Tiene los documentos de identidad que necesita (documento de identidad, partida de nacimiento)?",
            "هل لديك وثائق الهوية التي تحتاجها (بطاقة الهوية، شهادة الميلاد)؟",
        ],
    ),
    (
        "justice",
        "select_one access",
        Some("documents_justice"),
        None,
        [
            "If you needed it, could you get help from the police or the courts?",
            "Si vous en aviez besoin, pourriez-vous obtenir l'aide de la police ou de la justice ?",
            "Si lo necesitara, ¿podría obtener ayuda de la policía o de los tribunales?",
            "إذا احتجت، هل يمكنك الحصول على مساعدة الشرطة أو المحاكم؟",
        ],
    ),
    (
        "social_protection",
        "select_one access",
        Some("social_protection"),
        None,
        [
            "Can you get public support when you need it (allowances, social services)?",
            "Pouvez-vous obtenir une aide publique quand vous en avez besoin (allocations, services sociaux) ?",
            "¿Puede obtener apoyo público cuando lo necesita (subsidios, servicios sociales)?",
            "هل يمكنك الحصول على دعم عام عند الحاجة (إعانات، خدمات اجتماعية)؟",
        ],
    ),
    (
        "participation",
        "select_one often_good",
        Some("networks_participation"),
        None,
        [
            "How often do you take part in community activities or gatherings?",
            "À quelle fréquence participez-vous à des activités ou réunions de la communauté ?",
            "¿Con qué frecuencia participa en actividades o reuniones de la comunidad?",
            "كم مرة تشارك في أنشطة المجتمع أو تجمعاته؟",
        ],
    ),
    (
        "someone_to_rely_on",
        "select_one yes_good",
        Some("networks_participation"),
        None,
        [
            "Is there someone you can rely on if you need help?",
            "Y a-t-il quelqu'un sur qui vous pouvez compter si vous avez besoin d'aide ?",
            "¿Hay alguien con quien pueda contar si necesita ayuda?",
            "هل يوجد شخص يمكنك الاعتماد عليه إذا احتجت إلى المساعدة؟",
        ],
    ),
    (
        "discrimination",
        "select_one often_bad",
        Some("discrimination"),
        None,
        [
            "Since your return, how often have you been treated unfairly or differently from others?",
            "Depuis votre retour, combien de fois avez-vous été traité injustement ou différemment des autres ?",
            "Desde su regreso, ¿con qué frecuencia le han tratado de forma injusta o distinta a los demás?",
            "منذ عودتك، كم مرة عوملت بظلم أو بشكل مختلف عن الآخرين؟",
        ],
    ),
    (
        "feels_safe",
        "select_one often_good",
        Some("safety"),
        None,
        [
            "How often do you feel physically safe where you live?",
            "À quelle fréquence vous sentez-vous physiquement en sécurité là où vous vivez ?",
            "¿Con qué frecuencia se siente físicamente seguro donde vive?",
            "كم مرة تشعر بالأمان الجسدي في المكان الذي تعيش فيه؟",
        ],
    ),
    (
        "distress",
        "select_one often_bad",
        Some("distress"),
        None,
        [
            "In the past two weeks, how often did you feel very sad, afraid or angry, or unable to sleep?",
            "Ces deux dernières semaines, combien de fois vous êtes-vous senti très triste, effrayé ou en colère, ou incapable de dormir ?",
            "En las últimas dos semanas, ¿con qué frecuencia se sintió muy triste, asustado o enfadado, o sin poder dormir?",
            "في الأسبوعين الماضيين، كم مرة شعرت بحزن شديد أو خوف أو غضب، أو لم تستطع النوم؟",
        ],
    ),
    (
        "stay_or_leave",
        "select_one stay",
        Some("remigration"),
        None,
        [
            "Do you feel you can stay in this country and build your life here?",
            "Sentez-vous que vous pouvez rester dans ce pays et y construire votre vie ?",
            "¿Siente que puede quedarse en este país y construir su vida aquí?",
            "هل تشعر أنك تستطيع البقاء في هذا البلد وبناء حياتك فيه؟",
        ],
    ),
    (
        "notes",
        "text",
        None,
        None,
        [
            "Anything else the person wants to say",
            "Autre chose que la personne souhaite dire",
            "Algo más que la persona quiera decir",
            "أي شيء آخر يودّ الشخص قوله",
        ],
    ),
];

/// (name, dimension, label)
const INDICATORS: [(&str, Dimension, Text); 15] = [
    (
        "income_sources",
        Dimension::Economic,
        [
            "Sources of income",
            "Sources de revenus",
            "Fuentes de ingresos",
            "مصادر الدخل",
        ],
    ),
    (
        "work",
        Dimension::Economic,
        [
            "Work and access to work",
            "Travail et accès au travail",
            "Trabajo y acceso al trabajo",
            "العمل والوصول إليه",
        ],
    ),
    (
        "debt",
        Dimension::Economic,
        ["Debt", "Dette", "Deuda", "الديون"],
    ),
    (
        "food_security",
        Dimension::Economic,
        [
            "Food security",
            "Sécurité alimentaire",
            "Seguridad alimentaria",
            "الأمن الغذائي",
        ],
    ),
    (
        "economic_satisfaction",
        Dimension::Economic,
        [
            "Satisfaction with the economic situation",
            "Satisfaction quant à la situation économique",
            "Satisfacción con la situación económica",
            "الرضا عن الوضع الاقتصادي",
        ],
    ),
    (
        "housing",
        Dimension::Social,
        ["Housing", "Logement", "Vivienda", "السكن"],
    ),
    (
        "health",
        Dimension::Social,
        [
            "Access to health care",
            "Accès aux soins",
            "Acceso a la atención médica",
            "الوصول إلى الرعاية الصحية",
        ],
    ),
    (
        "education",
        Dimension::Social,
        [
            "Access to education",
            "Accès à l'éducation",
            "Acceso a la educación",
            "الوصول إلى التعليم",
        ],
    ),
    (
        "documents_justice",
        Dimension::Social,
        [
            "Documents and access to justice",
            "Papiers et accès à la justice",
            "Documentos y acceso a la justicia",
            "الوثائق والوصول إلى العدالة",
        ],
    ),
    (
        "social_protection",
        Dimension::Social,
        [
            "Social protection",
            "Protection sociale",
            "Protección social",
            "الحماية الاجتماعية",
        ],
    ),
    (
        "networks_participation",
        Dimension::Psychosocial,
        [
            "Social networks and participation",
            "Réseaux sociaux et participation",
            "Redes sociales y participación",
            "الشبكات الاجتماعية والمشاركة",
        ],
    ),
    (
        "discrimination",
        Dimension::Psychosocial,
        [
            "Discrimination",
            "Discrimination",
            "Discriminación",
            "التمييز",
        ],
    ),
    (
        "safety",
        Dimension::Psychosocial,
        ["Safety", "Sécurité", "Seguridad", "الأمان"],
    ),
    (
        "distress",
        Dimension::Psychosocial,
        [
            "Psychosocial distress",
            "Détresse psychosociale",
            "Malestar psicosocial",
            "الضيق النفسي الاجتماعي",
        ],
    ),
    (
        "remigration",
        Dimension::Psychosocial,
        [
            "Wish to leave again",
            "Envie de repartir",
            "Deseo de volver a irse",
            "الرغبة في الرحيل مجددًا",
        ],
    ),
];

/// The template: version 1 of `KEY`, valid by construction (a test holds it so).
pub fn reintegration_sustainability() -> Result<Survey, homeward_domain::survey::Invalid> {
    let lists = lists();
    let questions = QUESTIONS
        .iter()
        .map(|(name, kind, _, when, text)| {
            let mut words = kind.split_whitespace();
            let kind = match (words.next(), words.next()) {
                (Some("select_one"), Some(list)) => QuestionKind::SelectOne {
                    list: list.into(),
                    choices: lists.get(list).cloned().unwrap_or_default(),
                },
                (Some("select_multiple"), Some(list)) => QuestionKind::SelectMultiple {
                    list: list.into(),
                    choices: lists.get(list).cloned().unwrap_or_default(),
                    // A household with regular work is as well off as its best source.
                    scored_by: Several::Highest,
                },
                _ => QuestionKind::Text,
            };
            Question {
                name: (*name).into(),
                labels: labels(*text),
                hints: Labels::new(),
                required: !matches!(kind, QuestionKind::Text),
                kind,
                relevant: when.map(|(q, o)| Condition::AnyOf {
                    question: q.into(),
                    any_of: [o.to_string()].into(),
                }),
            }
        })
        .collect();
    let indicators = INDICATORS
        .iter()
        .map(|(name, dimension, text)| Indicator {
            name: (*name).into(),
            labels: labels(*text),
            dimension: *dimension,
            // A placeholder: the programme's, from IOM's scoring sheet.
            weight: 1,
            questions: QUESTIONS
                .iter()
                .filter(|q| q.2 == Some(*name))
                .map(|q| q.0.to_string())
                .collect(),
        })
        .collect();
    Survey::new(SurveyDefinition {
        key: KEY.into(),
        version: 1,
        form_version: Some("homeward-template-1".into()),
        title: labels([
            "Reintegration sustainability (template shaped like IOM's survey; placeholder weights)",
            "Durabilité de la réintégration (modèle inspiré de l'enquête de l'OIM ; poids provisoires)",
            "Sostenibilidad de la reintegración (plantilla inspirada en la encuesta de la OIM; pesos provisionales)",
            "استدامة إعادة الإدماج (نموذج على غرار استبيان المنظمة الدولية للهجرة؛ أوزان مؤقتة)",
        ]),
        languages: LANGUAGES.iter().map(|l| l.to_string()).collect(),
        language_names: [
            ("en", "English"),
            ("fr", "Français"),
            ("es", "Español"),
            ("ar", "العربية"),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_string(), n.to_string()))
        .collect(),
        questions,
        indicators,
        dimension_weights: Dimension::ALL.into_iter().map(|d| (d, 1)).collect(),
        skipped: Skipped::LeftOut,
        // IOM's guidance, not ours: a programme sets it with its weights.
        threshold: None,
    })
}
