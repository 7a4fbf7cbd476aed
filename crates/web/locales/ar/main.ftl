## Homeward web interface: Arabic

app-name = Homeward
app-tagline = العودة الطوعية المدعومة وإعادة الإدماج
skip-to-content = الانتقال إلى المحتوى الرئيسي
language = اللغة
change-language = تغيير اللغة
nav-home = الرئيسية
nav-cases = الملفات
nav-new-case = تسجيل ملف
nav-admin = الإدارة
nav-audit = سجل التدقيق
nav-main = القائمة الرئيسية
signed-in-as = تم تسجيل الدخول باسم { $name }
sign-in = تسجيل الدخول
sign-in-title = تسجيل الدخول إلى Homeward
sign-out = تسجيل الخروج
sign-out-everywhere = تسجيل الخروج من جميع الأجهزة
username = اسم المستخدم
password = كلمة المرور
sign-in-failed = اسم المستخدم أو كلمة المرور غير صحيحة.
sign-in-throttled = محاولات كثيرة جدًا. يُرجى المحاولة مرة أخرى بعد { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
    [many] { $minutes } دقيقة
   *[other] { $minutes } دقيقة
}.
session-expired = انتهت جلستك. يُرجى تسجيل الدخول مرة أخرى؛ ما كنت تُدخله محفوظ أدناه.
continue = متابعة
cancel = إلغاء
back = رجوع
save = حفظ
search = بحث
filter = تصفية
clear-filters = مسح عوامل التصفية
previous = السابق
next = التالي
page-of = الصفحة { $page } من { $pages }
results = { $count ->
    [zero] لا توجد نتائج
    [one] نتيجة واحدة
    [two] نتيجتان
    [few] { $count } نتائج
    [many] { $count } نتيجة
   *[other] { $count } نتيجة
}
none = لا شيء
yes = نعم
no = لا
optional = (اختياري)
not-found-title = الصفحة غير موجودة
not-found-body = هذه الصفحة غير موجودة، أو لا يحق لك الاطلاع عليها.
forbidden-title = غير مسموح
forbidden-body = لا يسمح دورك بهذا الإجراء هنا.
error-title = حدث خطأ ما
error-body = تم تسجيل الخطأ. يُرجى المحاولة مرة أخرى، أو التواصل مع مسؤول النظام.
unavailable-body = لا يمكن لقاعدة البيانات قبول أي تغييرات حاليًا. لم يُغيَّر أي شيء. يُرجى المحاولة مرة أخرى بعد قليل.
conflict-body = قام شخص آخر بتغيير هذا الملف منذ أن فتحته. تعرض الصفحة الملف كما هو الآن؛ يُرجى إدخال تغييرك مرة أخرى إن كان لا يزال ضروريًا.
error-summary-title = توجد مشكلة
done = تم الحفظ.
footer-text = Homeward، نظام مفتوح المصدر لإدارة ملفات العودة الطوعية المدعومة وإعادة الإدماج.

## Home

home-title = عملك
home-counselling = جلسات مشورة مستحقة
home-counselling-hint = الملفات المسجَّلة والملفات قيد المشورة.
home-reflection = موافقات بانتظار انتهاء فترة التفكير
home-reflection-item = يمكن تسجيل الموافقة اعتبارًا من { $date }
home-approve = طلبات بانتظار الموافقة
home-departures = مغادرات يجب التحضير لها
home-ready = جاهزة للمغادرة
home-arrivals = عمليات وصول بانتظار الاستقبال
home-reintegration = قيد إعادة الإدماج
home-monitoring = المتابعات
home-empty = لا يوجد شيء هنا.
home-no-cases = يعمل دورك على الأرقام المجمَّعة والإدارة، لا على الملفات.
home-see-all = عرض الكل ({ $count })

## Case list

cases-title = الملفات
cases-search-legend = البحث عن شخص
cases-search-hint = جزء من الاسم (بصرف النظر عن علامات التشكيل والنبر) أو الرقم المرجعي للملف.
cases-dob = تاريخ الميلاد
cases-filters = عوامل التصفية
col-reference = الرقم المرجعي
col-name = مقدّم الطلب الرئيسي
col-stage = المرحلة
col-country = بلد العودة
col-members = الأشخاص
col-updated = آخر تغيير
col-vulnerabilities = أوجه الضعف
any = الكل

## Case page

case-title = الملف { $reference }
case-summary = ملخص
case-people = الأشخاص
case-next = الخطوات التالية
case-actions = الإجراءات
case-actions-none = لا يوجد حاليًا أي إجراء يمكن لدورك اتخاذه في هذا الملف.
case-action-unavailable = غير ممكن في المرحلة الحالية للملف: { $stage }.
case-timeline = التسلسل الزمني
case-sessions = جلسات المشورة
case-consents = الموافقة
case-documents = الوثائق
case-itinerary = خط سير الرحلة
case-escorts = المرافقون
case-health = الصحة
case-allowances = البدلات المدفوعة
case-withheld = بعض التفاصيل لا تُعرض لدورك: { $kinds }.
case-departure-ready = استُوفيت جميع شروط المغادرة.
case-departure-unmet = قبل المغادرة:
case-consent-possible-from = يمكن تسجيل الموافقة اعتبارًا من { $date }، عند انتهاء فترة التفكير.
case-consent-not-informed = لم يتلقَّ الشخص المعلومات بعد في جلسة بلغة يفهمها.
case-consent-given = مُنحت الموافقة بتاريخ { $date }.
case-consent-withdrawn = تم الانسحاب بتاريخ { $date }.
case-consent-covered = مشمول بموافقة الأسرة.
case-consent-by-representative = الموافقة مقدَّمة من الممثل القانوني.
case-print = طباعة
field-host-office = مكتب بلد الاستضافة
field-return-office = مكتب بلد العودة
field-programme = البرنامج
field-country-of-return = بلد العودة
field-place-of-return = مكان العودة
field-referral = الجهة المُحيلة
field-registered = تاريخ التسجيل
field-stage = المرحلة
field-outcome = النتيجة
field-age = العمر
field-relationship = صلة القرابة
field-languages = اللغات
field-nationality = الجنسية
field-legal-situation = الوضع القانوني
timeline-when = وقت الحدوث
timeline-recorded = وقت التسجيل
timeline-who = بواسطة
timeline-what = الحدث
timeline-corrected = صُحِّح لاحقًا (الإصدار { $versions })
stage-registered = مسجَّل
stage-counselling = قيد المشورة
stage-applied = قُدِّم الطلب
stage-approved = تمت الموافقة
stage-rejected = مرفوض
stage-pre_departure = قيد التحضير للمغادرة
stage-ready_to_depart = جاهز للمغادرة
stage-departed = تمت المغادرة
stage-arrived = تم الوصول
stage-reintegration = قيد إعادة الإدماج
stage-monitoring = قيد المتابعة
stage-withdrawn = منسحب
stage-closed = مغلق

## Forms

occurred-legend = متى حدث ذلك؟
occurred-hint = اتركه كما هو إن كان يحدث الآن. لا يمكن أن يكون في المستقبل.
date-day = اليوم
date-month = الشهر
date-year = السنة
time-hour-minute = الوقت (نظام 24 ساعة، HH:MM)
date-hint = مثال: 27 3 2026
err-date-invalid = يُرجى إدخال تاريخ صحيح.
err-time-invalid = يُرجى إدخال الوقت بصيغة HH:MM.
err-required = هذا الحقل مطلوب.
err-choose-person = يُرجى اختيار شخص.
action-submit = حفظ
action-confirm = تأكيد

action-add_member = إضافة فرد من الأسرة
action-remove_member = إزالة فرد
action-update_person_details = تحديث بيانات شخص
action-record_counselling_session = تسجيل جلسة مشورة
action-screen_eligibility = التحقق من الأهلية
action-record_consent = تسجيل الموافقة (إعلان العودة الطوعية)
action-reconfirm_consent = إعادة تأكيد الموافقة
action-withdraw = تسجيل انسحاب
action-reopen = إعادة فتح الملف
action-assess_capacity = تسجيل تقييم القدرة على اتخاذ القرار
action-determine_best_interests = تسجيل تحديد المصالح الفضلى
action-appoint_representative = تسجيل ممثل قانوني
action-submit_application = تقديم الطلب
action-approve_application = الموافقة على الطلب
action-reject_application = رفض الطلب
action-change_proposal = تغيير المقترح
action-assign_return_office = تعيين مكتب بلد العودة
action-record_health_assessment = تسجيل تقييم صحي
action-record_risk_assessment = تسجيل تقييم للمخاطر
action-record_travel_document = تسجيل وثيقة
action-assign_escort = تعيين مرافق
action-release_escort = إعفاء مرافق
action-arrange_shelter = ترتيب مأوى مؤقت
action-set_itinerary = حجز خط سير الرحلة
action-pay_allowance = تسجيل دفع بدل
action-mark_ready_to_depart = تحديد الملف جاهزًا للمغادرة
action-confirm_departure = تأكيد المغادرة
action-record_no_show = تسجيل عدم حضور
action-record_arrival = تسجيل الوصول والاستقبال
action-start_reintegration = بدء إعادة الإدماج
action-start_monitoring = بدء المتابعة
action-close = إغلاق الملف
action-correct = تصحيح معلومة

f-person = الشخص
f-relationship = صلة القرابة بمقدّم الطلب الرئيسي
f-given = الاسم الأول (أو الأسماء)
f-given-hint = كما يكتبه الشخص، بأي نظام كتابة.
f-family = اسم العائلة
f-latin-given = الاسم الأول (أو الأسماء) بالأحرف اللاتينية
f-latin-family = اسم العائلة بالأحرف اللاتينية
f-latin-hint = فقط إذا كان الاسم مكتوبًا بنظام كتابة آخر.
f-dob = تاريخ الميلاد
f-dob-hint = إذا كان التاريخ الدقيق غير معروف، اترك الحقل فارغًا وأدخل سنة تقديرية.
f-birth-year = سنة الميلاد التقديرية
f-sex = الجنس
f-nationality = الجنسية
f-languages = اللغات التي يفهمها الشخص
f-languages-hint = اختر ثلاث لغات كحد أقصى. لا تُقدَّم المعلومات إلا بلغة يفهمها الشخص.
f-phone = الهاتف
f-email = البريد الإلكتروني
f-address = العنوان
f-legal-situation = الوضع القانوني في بلد الاستضافة
f-vulnerabilities = أوجه الضعف
f-vulnerabilities-hint = اختر كل ما ينطبق.
f-language = اللغة المستخدمة مع الشخص
f-language-hint = اللغة التي سمعها الشخص، عن طريق المترجم الشفوي إن وُجد.
f-interpreter = حضر مترجم شفوي
f-topics = المواضيع التي تم تناولها
f-topics-hint = تشكّل المواضيع الأربعة الأولى معًا جلسةً إعلامية، وهي شرط لتسجيل الموافقة.
f-attendees = الحاضرون
f-notes = ملاحظات سرية
f-notes-hint = لا يطّلع عليها إلا المستشارون.
f-removal = إجراءات الترحيل (الإبعاد)
f-admissibility = قبول الدخول إلى بلد العودة
f-category = الفئة
f-given-by = مقدّم الموافقة
f-no-pressure = أشهد بأنه لم يُمارَس أي ضغط جسدي أو نفسي.
f-right-to-withdraw = تم شرح الحق في الانسحاب في أي وقت قبل المغادرة.
f-data-consent = يوافق الشخص بشكل منفصل على معالجة بياناته الشخصية.
f-statement = كلمات الشخص نفسه
f-own-words = كلمات الشخص نفسه (اختياري)
f-whole-case = سحب الملف بأكمله
f-whole-case-hint = يكون ذلك دائمًا عند انسحاب مقدّم الطلب الرئيسي.
f-reason = السبب
f-professional = الأخصائي/ة
f-qualification = المؤهل
f-lacks-capacity = خلص الأخصائي إلى أن الشخص غير قادر على اتخاذ قرار العودة بنفسه
f-determined-by = الجهة التي أجرت التحديد
f-in-best-interests = هل العودة في مصلحة الطفل الفضلى؟
f-representative-name = اسم الممثل
f-representative-kind = صفة الممثل
f-fitness = اللياقة للسفر
f-assessed-by = أجرى التقييم
f-medical-details = التفاصيل الطبية
f-medical-details-hint = لا يطّلع عليها إلا الموظفون الطبيون.
f-conclusion = الخلاصة
f-document-kind = الوثيقة
f-document-status = الحالة
f-document-number = الرقم
f-issuing-country = بلد الإصدار
f-expires = تاريخ انتهاء الصلاحية
f-escort-kind = نوع المرافقة
f-escort-name = اسم المرافق
f-accompanies = يرافق
f-escort = المرافق
f-place = المكان
f-from = من
f-until = حتى
f-leg = الرحلة { $n }
f-carrier = شركة الطيران
f-flight = رقم الرحلة
f-from-airport = من (رمز المطار)
f-to-airport = إلى (رمز المطار)
f-departs = المغادرة (بالتوقيت المحلي للمطار)
f-arrives = الوصول (بالتوقيت المحلي للمطار)
f-transit-permit = يلزم الحصول على تأشيرة أو تصريح عبور لهذا العبور
f-transit-assistance = تم ترتيب المساعدة أثناء العبور
f-household = الأسرة
f-kind = النوع
f-amount = المبلغ
f-amount-hint = بعملة { $currency }، مثال: 250.00
f-note = ملاحظة
f-reception = جهة الاستقبال
f-partner-name = المنظمة الشريكة
f-onward = النقل إلى الوجهة النهائية
f-accommodation = السكن المؤقت
f-outcome = النتيجة
f-office = المكتب
f-country = بلد العودة
f-return-kind = العودة إلى
f-place-of-return = مدينة أو منطقة العودة
f-assistance = حزمة المساعدة
f-referral-source = طريقة الوصول إلى البرنامج
f-referred-by = الجهة المُحيلة
f-host-office = المكتب

opt-sex-female = أنثى
opt-sex-male = ذكر
opt-sex-other = آخر
opt-relationship-principal = مقدّم الطلب الرئيسي
opt-relationship-spouse = الزوج/الزوجة أو الشريك/ة
opt-relationship-child = ابن/ابنة
opt-relationship-parent = أحد الوالدين
opt-relationship-sibling = أخ أو أخت
opt-relationship-other_relative = قريب آخر
opt-relationship-other = أخرى
opt-legal-regular_stay = إقامة نظامية
opt-legal-irregular_stay = إقامة غير نظامية
opt-legal-asylum_seeker = طالب/ة لجوء
opt-legal-refugee = لاجئ/ة
opt-legal-temporary_protection = حماية مؤقتة
opt-legal-visa_overstayer = تجاوز مدة التأشيرة
opt-legal-migrant_worker_end_of_contract = عامل/ة مهاجر/ة انتهى عقده/ا
opt-legal-stranded_migrant = مهاجر/ة عالق/ة
opt-legal-stateless = عديم/ة الجنسية
opt-vuln-victim_of_trafficking = ضحية الاتجار بالبشر
opt-vuln-unaccompanied_or_separated_child = طفل غير مصحوب أو منفصل عن ذويه
opt-vuln-medical_needs = احتياجات طبية
opt-vuln-victim_of_violence = ضحية إساءة أو عنف أو استغلال
opt-vuln-elderly = مسنّ/ة
opt-vuln-single_parent_without_support = والد/ة وحيد/ة دون دعم في بلد العودة
opt-topic-return_modalities = طرائق العودة
opt-topic-conditions_in_country_of_return = الأوضاع في بلد العودة
opt-topic-return_by_own_means = العودة بالوسائل الخاصة
opt-topic-options_to_stay = خيارات البقاء
opt-topic-reintegration_assistance = المساعدة في إعادة الإدماج
opt-topic-right_to_withdraw = الحق في الانسحاب
opt-topic-health_and_medical = الصحة والرعاية الطبية
opt-topic-other = أخرى
opt-removal-not_initiated = لم تُتَّخذ أي إجراءات
opt-removal-initiated = اتُّخذت إجراءات
opt-admissibility-national = مواطن/ة من بلد العودة
opt-admissibility-admission_confirmed = أكّد البلد الثالث قبول الدخول
opt-admissibility-pending = قيد الانتظار
opt-admissibility-refused = مرفوض
opt-giver-person = الشخص نفسه
opt-giver-representative = ممثله القانوني
opt-repkind-legal_guardian = وصي قانوني
opt-repkind-parent = أحد الوالدين
opt-repkind-court_appointed = معيَّن من المحكمة
opt-repkind-other = أخرى
opt-fitness-fit = لائق للسفر
opt-fitness-fit_with_medical_escort = لائق بشرط وجود مرافق طبي
opt-fitness-not_fit = غير لائق للسفر
opt-risk-return_can_proceed = يمكن المضي في العودة
opt-risk-return_can_proceed_with_measures = يمكن المضي في العودة مع تدابير حماية
opt-risk-return_must_not_proceed = يجب عدم المضي في العودة
opt-doc-passport = جواز سفر
opt-doc-laissez_passer = تصريح مرور
opt-doc-national_identity_card = بطاقة هوية وطنية
opt-doc-birth_certificate = شهادة ميلاد
opt-doc-refugee_travel_document = وثيقة سفر للاجئين
opt-doc-visa = تأشيرة
opt-doc-transit_permit = تصريح عبور
opt-doc-other = أخرى
opt-docstatus-held = في حوزة الشخص
opt-docstatus-requested = مطلوبة
opt-docstatus-issued = صادرة
opt-docstatus-expired = منتهية الصلاحية
opt-docstatus-lost = مفقودة
opt-escort-child = مرافق للطفل (أخصائي/ة اجتماعي/ة)
opt-escort-medical = مرافق طبي
opt-escort-operational = مرافق عملياتي
opt-assist-pocket_money = مصروف جيب
opt-assist-installation_grant = منحة استقرار
opt-assist-reintegration_grant = منحة إعادة الإدماج
opt-assist-reintegration_in_kind = مساعدة عينية لإعادة الإدماج
opt-assist-travel_costs = تكاليف السفر
opt-assist-medical_support = دعم طبي
opt-assist-other = أخرى
opt-reception-office = مكتبنا في بلد العودة
opt-reception-partner = منظمة شريكة
opt-outcome-completed = مكتمل
opt-outcome-withdrawn = منسحب
opt-outcome-no_show = عدم حضور
opt-outcome-ineligible = غير مؤهل
opt-outcome-regularised_in_host_country = تسوية الوضع في بلد الاستضافة
opt-outcome-lost_contact = انقطاع الاتصال
opt-outcome-deceased = متوفى
opt-returnkind-origin = بلد المنشأ
opt-returnkind-third_country = بلد ثالث يقبل دخول الشخص
opt-referral-self_referral = بمبادرة شخصية
opt-referral-partner = عن طريق منظمة شريكة
opt-referral-authority = عن طريق جهة رسمية
opt-referral-outreach = عن طريق أنشطة التوعية الميدانية
opt-referral-other = أخرى

## Roles and sensitive kinds

role-counsellor = مستشار/ة
role-approver = مدير/ة البرنامج
role-medical_officer = موظف/ة طبي/ة
role-movement_officer = موظف/ة عمليات السفر
role-reintegration_officer = موظف/ة إعادة الإدماج
role-monitoring_officer = موظف/ة الرصد والتقييم
role-partner = شريك
role-administrator = مسؤول/ة النظام
role-donor = جهة مانحة
role-auditor = مدقق/ة
sensitive-medical = التفاصيل الطبية
sensitive-trafficking = الاتجار بالبشر والحماية
sensitive-violence = الإساءة والعنف
sensitive-counselling_notes = ملاحظات المشورة

## Events on the timeline

event-case_registered = تسجيل الملف
event-member_added = إضافة فرد
event-member_removed = إزالة فرد
event-person_details_updated = تحديث البيانات
event-counselling_session_recorded = جلسة مشورة
event-eligibility_screened = التحقق من الأهلية
event-consent_recorded = تسجيل الموافقة
event-consent_reconfirmed = إعادة تأكيد الموافقة
event-consent_withdrawn = انسحاب
event-case_withdrawn = سحب الملف
event-case_reopened = إعادة فتح الملف
event-capacity_assessed = تقييم القدرة على اتخاذ القرار
event-best_interests_determined = تحديد المصالح الفضلى
event-representative_appointed = تسجيل ممثل قانوني
event-application_submitted = تقديم الطلب
event-application_approved = الموافقة على الطلب
event-application_rejected = رفض الطلب
event-proposal_changed = تغيير المقترح
event-return_office_assigned = تعيين مكتب بلد العودة
event-health_assessed = التقييم الصحي
event-risk_assessed = تقييم المخاطر
event-travel_document_recorded = تسجيل وثيقة
event-escort_assigned = تعيين مرافق
event-escort_released = إعفاء مرافق
event-shelter_arranged = ترتيب مأوى
event-itinerary_set = حجز خط سير الرحلة
event-allowance_paid = دفع بدل
event-marked_ready_to_depart = جاهز للمغادرة
event-departure_confirmed = المغادرة
event-no_show_recorded = عدم حضور
event-arrival_recorded = الوصول والاستقبال
event-reintegration_started = بدء إعادة الإدماج
event-monitoring_started = بدء المتابعة
event-case_closed = إغلاق الملف
event-corrected = تصحيح

## Rules: the domain's reasons, by code (the domain's English text is the fallback)

rule-consent-reflection_period = يمكن تسجيل الموافقة اعتبارًا من { $from_date }، عند انتهاء فترة التفكير ومدتها { $days ->
    [one] يوم واحد
    [two] يومان
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
}.
rule-consent-no_information_session = لم يُقدِّم أحد بعد المعلومات لهذا الشخص بلغة يفهمها، بحيث تشمل العودة، والأوضاع في بلده، والعودة بالوسائل الخاصة، وخيارات البقاء.
rule-consent-missing = الموافقة غير موجودة.
rule-consent-withdrawn = انسحب هذا الشخص.
rule-consent-stale = تغيّر المقترح بعد الموافقة: يجب إعادة تأكيدها.
rule-consent-pressure_not_excluded = يُرجى الإشهاد بأنه لم يُمارَس أي ضغط.
rule-consent-withdrawal_right_not_explained = يجب شرح الحق في الانسحاب.
rule-consent-data_processing_missing = يلزم الحصول على موافقة منفصلة على معالجة البيانات.
rule-consent-covered_by_family = هذا الطفل مشمول بموافقة الأسرة.
rule-consent-representative_required = يقدّم الممثل القانوني الموافقة نيابةً عن هذا الشخص.
rule-consent-own_required = الشخص البالغ يقدّم موافقته بنفسه.
rule-consent-representative_missing = موافقة الممثل القانوني غير موجودة.
rule-capacity-assessment_missing = يلزم إجراء تقييم من قِبل أخصائي مؤهل.
rule-capacity-best_interests_missing = يلزم تحديد المصالح الفضلى.
rule-capacity-representative_missing = يجب تسجيل وصي قانوني أو ممثل قانوني.
rule-health-assessment_missing = يلزم إجراء تقييم صحي للياقة للسفر.
rule-health-not_fit = قُيِّم الشخص بأنه غير لائق للسفر.
rule-documents-travel_document_missing = لا يوجد جواز سفر صالح أو تصريح مرور صادر ليوم السفر.
rule-documents-transit_permit_missing = يلزم الحصول على تأشيرة أو تصريح عبور لخط سير الرحلة.
rule-escort-child_escort_missing = يحتاج الطفل غير المصحوب إلى مرافق للطفل.
rule-escort-medical_escort_missing = يلزم وجود مرافق طبي.
rule-escort-programme_escort_missing = يشترط البرنامج وجود مرافق لهذا الشخص.
rule-protection-requirement_unmet = أحد متطلبات الحماية غير مستوفى.
rule-departure-not_approved = لم تتم الموافقة على الطلب.
rule-departure-no_itinerary = لم يُحجز أي خط سير للرحلة.
rule-departure-itinerary_wrong_destination = لا ينتهي خط سير الرحلة في بلد العودة.
rule-eligibility-not_screened = لم يتم التحقق من الأهلية.
rule-eligibility-removal_procedure_initiated = اتُّخذت إجراءات ترحيل: الملف غير مؤهل.
rule-approval-own_submission = أنت من قدّم هذا الطلب: يجب أن يبتّ فيه موافِق آخر.
rule-withdrawal-after_departure = تمت المغادرة في هذا الملف: الانسحاب ممكن فقط قبل المغادرة.
rule-time-in_future = لا يمكن أن يكون هذا في المستقبل.
rule-time-before_registration = تاريخ هذا سابق لتاريخ تسجيل الملف.
rule-time-before_previous_step = تاريخ هذا سابق لتاريخ الخطوة السابقة في الملف.
rule-stage-not_allowed = غير ممكن في المرحلة الحالية للملف: { $stage }.

## Dates

date-long = { $day } { $month } { $year }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## Administration and audit

admin-title = الإدارة
admin-users = المستخدمون
admin-add-user = إضافة مستخدم
admin-username-hint = أحرف لاتينية صغيرة وأرقام ونقاط وشرطات؛ 3 أحرف على الأقل.
admin-display-name = الاسم
admin-roles = الأدوار
admin-offices = المكاتب
admin-offices-hint = يطّلع المستخدم على ملفات المكاتب التي ينتمي إليها.
admin-active = نشط
admin-new-password = كلمة المرور
admin-password-hint = 12 حرفًا على الأقل. اترك الحقل فارغًا لإنشاء كلمة مرور تلقائيًا (تُعرض مرة واحدة فقط)؛ يؤدي تغييرها إلى تسجيل خروج المستخدم من جميع الأجهزة.
admin-password-once = تم إنشاء الحساب { $user }. كلمة المرور الخاصة به (تُعرض الآن فقط): { $password }
admin-duplicate = هذه القيمة موجودة بالفعل.
admin-add-office = إضافة مكتب
admin-office-code = الرمز
admin-office-code-hint = من 2 إلى 10 أحرف أو أرقام، ويُستخدم في الأرقام المرجعية للملفات، مثل BRU.
admin-office-name = اسم المكتب
admin-programmes = البرامج
admin-add-programme = إضافة برنامج
admin-programme-code = الرمز
admin-programme-name = اسم البرنامج
admin-reflection = فترة التفكير (بالأيام)
admin-reflection-hint = عدد الأيام بين الجلسة الإعلامية وأقرب تاريخ يمكن فيه تسجيل الموافقة.
admin-host-countries = بلدان الاستضافة
admin-countries-hint = رموز البلدان مفصولة بفواصل، مثل BE, NL.
admin-return-countries = بلدان العودة
admin-return-countries-hint = رموز البلدان مفصولة بفواصل؛ إذا تُرك الحقل فارغًا، يُقبل أي بلد.
admin-categories = فئات المهاجرين
admin-categories-hint = فئة واحدة في كل سطر.
admin-health = التقييم الصحي قبل المغادرة
admin-health-always = لكل مسافر
admin-health-vulnerabilities = للمسافرين الذين لديهم أوجه الضعف التالية
admin-health-for = أوجه الضعف التي تستلزم تقييمًا صحيًا
admin-escorts = أوجه الضعف التي تستلزم وجود مرافق
admin-escorts-hint = بالإضافة إلى المرافقين الذين يشترطهم كل برنامج: مرافق للطفل غير المصحوب، ومرافق طبي عندما يقضي التقييم بذلك.
admin-risk = يلزم إجراء تقييم للمخاطر لضحايا الاتجار بالبشر قبل المغادرة
admin-currency = العملة (ISO 4217)
audit-title = سجل التدقيق
audit-chain-ok = { $count ->
    [zero] السلسلة سليمة ولا تتضمن أي إدخال.
    [one] السلسلة المكوَّنة من إدخال واحد سليمة: لم يُعدَّل أي إدخال ولم يُدرَج أو يُحذَف أي إدخال.
    [two] السلسلة المكوَّنة من إدخالين سليمة: لم يُعدَّل أي إدخال ولم يُدرَج أو يُحذَف أي إدخال.
    [few] السلسلة المكوَّنة من { $count } إدخالات سليمة: لم يُعدَّل أي إدخال ولم يُدرَج أو يُحذَف أي إدخال.
    [many] السلسلة المكوَّنة من { $count } إدخالًا سليمة: لم يُعدَّل أي إدخال ولم يُدرَج أو يُحذَف أي إدخال.
   *[other] السلسلة المكوَّنة من { $count } إدخال سليمة: لم يُعدَّل أي إدخال ولم يُدرَج أو يُحذَف أي إدخال.
}
audit-chain-broken = السلسلة منقطعة عند الإدخال رقم { $seq }: { $reason }.
audit-system = النظام
audit-action = الإجراء
audit-case = الملف
audit-detail = التفاصيل
home-this-week = المغادرات خلال الأيام السبعة القادمة
