"""The catalogue as it ships (loaded by migration 0002): the six backbone functions and the 27
indicators exactly as in DOMAIN.md section 7 (English after FSG, Hebrew as in the review), and the
standard item bank: statements rated 1–5 (or "don't know"), each written for the respondent group
that can judge it. Frozen: a later change to the catalogue is a new migration, not an edit here.
"""

FUNCTIONS = [
    ("A", "Guide vision and strategy", "גיבוש חזון ואסטרטגיה"),
    ("B", "Support aligned activities", "קידום פעילויות התואמות את המצע המשותף"),
    ("C", "Establish shared measurement practices", "פיתוח מדדים מערכתיים ומדידה משותפת"),
    ("D", "Build public will", "בניית אהדה ציבורית וקהילתית"),
    ("E", "Advance policy", "קידום מדיניות"),
    ("F", "Mobilize funding", "גיוס מימון"),
]

# number, function, English, Hebrew
INDICATORS = [
    (1, "A", "Partners accurately describe the common agenda", "השותפים הטמיעו ומתארים את המצע המשותף"),
    (2, "A", "Partners publicly discuss and advocate for common agenda goals", "השותפים מקדמים פומבית את מטרות המצע המשותף"),
    (3, "A", "Partners' individual work is increasingly aligned with the common agenda", "הפעילות הפרטנית של השותפים תואמת את המצע המשותף"),
    (4, "A", "The steering committee and key leaders increasingly look to the backbone for initiative support, strategic guidance and leadership", "ועדת ההיגוי והמובילים מאמינים בארגון המתכלל ומצפים ממנו לתמיכה יזומה, להנחיות אסטרטגיות ולמנהיגות"),
    (5, "B", "Partners articulate their role in the initiative", "השותפים הטמיעו את חלקם ביוזמה"),
    (6, "B", "Relevant stakeholders are engaged in the initiative", "בעלי עניין רלוונטיים מגויסים ליוזמה"),
    (7, "B", "Partners communicate and coordinate efforts regularly, with and independently of the backbone", "השותפים מעדכנים ומתאמים פעילויות יחד עם המתכלל ובנפרד ממנו"),
    (8, "B", "Partners report increasing levels of trust with one another", "השותפים מדווחים על אמון גובר ביניהם"),
    (9, "B", "Partners increase the scope and type of collaborative work", "השותפים משתפרים בעבודה תוך שיתופי פעולה"),
    (10, "B", "Partners improve the quality of their work", "השותפים משפרים את איכות עבודתם"),
    (11, "B", "Partners improve the efficiency of their work", "השותפים משפרים את יעילות עבודתם"),
    (12, "B", "Partners feel supported and recognised in their work", "השותפים מרגישים נתמכים ומוערכים בעבודתם"),
    (13, "C", "A shared data system is in development", "מערך המידע המשותף נמצא בתהליכי פיתוח"),
    (14, "C", "Partners understand the value of shared data", "השותפים מבינים את חשיבות המידע המשותף"),
    (15, "C", "Partners have robust, shared data capacity", "השותפים הגבירו את יכולות איסוף המידע שלהם"),
    (16, "C", "Partners make decisions based on data", "השותפים מקבלים החלטות על בסיס מידע"),
    (17, "C", "Partners use data in meaningful ways", "השותפים משתמשים במידע בדרכים משמעותיות"),
    (18, "D", "Community members are increasingly aware of the issue and the initiative", "הקהילה מודעת ליוזמה ומכירה אותה"),
    (19, "D", "Community members express support for the initiative", "נציגי הקהילה מביעים תמיכה ביוזמה"),
    (20, "D", "Community members feel empowered to engage", "נציגי הקהילה מרגישים מעודדים למעורבות"),
    (21, "D", "Community members increasingly take action", "נציגי הקהילה נוקטים מעורבות פעילה"),
    (22, "E", "Policymakers and influencers are increasingly aware of the initiative", "קובעי מדיניות ומשפיעים מודעים וערים ליוזמה"),
    (23, "E", "Policymakers and influencers advocate for changes aligned with the initiative's goals", "קובעי המדיניות והמשפיעים מסנגרים על שינויים ברוח היוזמה"),
    (24, "E", "Public policy is increasingly aligned with the initiative's goals", "המדיניות הציבורית תואמת יותר את מטרות היוזמה"),
    (25, "F", "Funders ask their grantees to align with the initiative's goals", "המממנים מבקשים מהארגונים איתם בקשר לפעול ברוח מטרות היוזמה"),
    (26, "F", "Funders redirect resources to support the initiative's goals", "המממנים מסיטים משאבים לתמיכה במטרות היוזמה"),
    (27, "F", "New resources from public and private sources flow to partners and the initiative", "מקורות מימון חדשים מופנים לשותפים וליוזמה"),
]

# code, indicator number, respondent group, English, Hebrew
ITEMS = [
    # Partners: the full form.
    ("partner-1", 1, "partner", "I could describe the initiative's common agenda (its goal and key strategies) accurately to a colleague.", "אוכל לתאר לעמית במדויק את המצע המשותף של היוזמה (המטרה והאסטרטגיות המרכזיות)."),
    ("partner-2", 2, "partner", "My organisation speaks in public about the common agenda's goals and advocates for them.", "הארגון שלי מדבר בפומבי על מטרות המצע המשותף ופועל לקדם אותן."),
    ("partner-3", 3, "partner", "My organisation's own work is more aligned with the common agenda than it was a year ago.", "העבודה של הארגון שלי תואמת את המצע המשותף יותר מאשר לפני שנה."),
    ("partner-4", 4, "partner", "The backbone gives the initiative the support, strategic guidance and leadership it needs.", "הארגון המתכלל מעניק ליוזמה את התמיכה, ההכוונה האסטרטגית והמנהיגות שהיא צריכה."),
    ("partner-5", 5, "partner", "I can explain my organisation's role in the initiative.", "אני יכול/ה להסביר מהו תפקידו של הארגון שלי ביוזמה."),
    ("partner-6", 6, "partner", "The organisations and people needed to make progress on the issue take part in the initiative.", "הארגונים והאנשים הדרושים כדי להתקדם בסוגיה שותפים ביוזמה."),
    ("partner-7", 7, "partner", "We update and coordinate with other partners regularly, both with the backbone and without it.", "אנו מעדכנים ומתאמים עם שותפים אחרים באופן קבוע, גם יחד עם הארגון המתכלל וגם בלעדיו."),
    ("partner-8", 8, "partner", "I trust the other partners more than I did a year ago.", "אני נותן/ת אמון בשותפים האחרים יותר מאשר לפני שנה."),
    ("partner-9", 9, "partner", "My organisation works with more partners, and in more ways, than before the initiative.", "הארגון שלי עובד עם יותר שותפים ובדרכים מגוונות יותר מאשר לפני היוזמה."),
    ("partner-10", 10, "partner", "Taking part in the initiative has improved the quality of my organisation's work.", "ההשתתפות ביוזמה שיפרה את איכות העבודה של הארגון שלי."),
    ("partner-11", 11, "partner", "Taking part in the initiative has made my organisation's work more efficient.", "ההשתתפות ביוזמה הפכה את עבודת הארגון שלי ליעילה יותר."),
    ("partner-12", 12, "partner", "I feel supported and recognised in my work by the initiative.", "אני מרגיש/ה שהיוזמה תומכת בי ומעריכה את עבודתי."),
    ("partner-13", 13, "partner", "A shared data system that serves all partners is being built.", "נבנה מערך מידע משותף המשרת את כל השותפים."),
    ("partner-14", 14, "partner", "Shared data helps my organisation see how we contribute to the common goals.", "המידע המשותף עוזר לארגון שלי לראות כיצד אנו תורמים למטרות המשותפות."),
    ("partner-15", 15, "partner", "My organisation has the skills and tools to collect and report shared data reliably.", "לארגון שלי יש הכישורים והכלים לאסוף ולדווח מידע משותף באופן אמין."),
    ("partner-16", 16, "partner", "Decisions in the initiative are made on the basis of data.", "ההחלטות ביוזמה מתקבלות על בסיס מידע."),
    ("partner-17", 17, "partner", "My organisation uses the initiative's data to learn and to improve what it does.", "הארגון שלי משתמש במידע של היוזמה כדי ללמוד ולשפר את פעילותו."),
    # The steering committee.
    ("steering-1", 1, "steering", "Partners can describe the common agenda accurately.", "השותפים יודעים לתאר במדויק את המצע המשותף."),
    ("steering-2", 2, "steering", "Partners publicly discuss and advocate for the common agenda's goals.", "השותפים מדברים בפומבי על מטרות המצע המשותף ומקדמים אותן."),
    ("steering-3", 3, "steering", "Partners' individual work is increasingly aligned with the common agenda.", "הפעילות הפרטנית של השותפים תואמת יותר ויותר את המצע המשותף."),
    ("steering-4a", 4, "steering", "I look to the backbone for support, strategic guidance and leadership for the initiative.", "אני פונה לארגון המתכלל לקבלת תמיכה, הכוונה אסטרטגית ומנהיגות עבור היוזמה."),
    ("steering-4b", 4, "steering", "The backbone takes the initiative in supporting the steering committee's work.", "הארגון המתכלל יוזם תמיכה בעבודת ועדת ההיגוי."),
    ("steering-6", 6, "steering", "The stakeholders the initiative needs are engaged in it.", "בעלי העניין שהיוזמה זקוקה להם מגויסים אליה."),
    ("steering-8", 8, "steering", "Trust between the partners is growing.", "האמון בין השותפים הולך וגובר."),
    ("steering-13", 13, "steering", "The shared data system is progressing as planned.", "מערך המידע המשותף מתקדם כמתוכנן."),
    ("steering-16", 16, "steering", "The steering committee makes its decisions on the basis of data.", "ועדת ההיגוי מקבלת את החלטותיה על בסיס מידע."),
    ("steering-17", 17, "steering", "The initiative's data is used in meaningful ways.", "נעשה שימוש משמעותי במידע של היוזמה."),
    ("steering-19", 19, "steering", "Community members express support for the initiative.", "נציגי הקהילה מביעים תמיכה ביוזמה."),
    ("steering-22", 22, "steering", "Policymakers and influencers know about the initiative.", "קובעי מדיניות ומשפיעים מכירים את היוזמה."),
    ("steering-24", 24, "steering", "Public policy is becoming more aligned with the initiative's goals.", "המדיניות הציבורית הולכת ומתאימה יותר למטרות היוזמה."),
    ("steering-26", 26, "steering", "Funders are redirecting resources to the initiative's goals.", "מממנים מסיטים משאבים למטרות היוזמה."),
    ("steering-27", 27, "steering", "New public and private funding is reaching the partners and the initiative.", "מימון ציבורי ופרטי חדש מגיע לשותפים וליוזמה."),
    # Community members: a short form.
    ("community-18", 18, "community", "I know about the initiative and the issue it works on.", "אני מכיר/ה את היוזמה ואת הסוגיה שבה היא עוסקת."),
    ("community-19", 19, "community", "I support what the initiative is trying to achieve.", "אני תומך/ת במה שהיוזמה מנסה להשיג."),
    ("community-20", 20, "community", "I feel I can take part in the initiative and that my voice counts.", "אני מרגיש/ה שאני יכול/ה לקחת חלק ביוזמה ושקולי נשמע."),
    ("community-21", 21, "community", "In the past six months I took part in an activity of the initiative.", "בחצי השנה האחרונה השתתפתי בפעילות של היוזמה."),
    # Policymakers and influencers: a short form.
    ("policymaker-22", 22, "policymaker", "I am familiar with the initiative and its goals.", "אני מכיר/ה את היוזמה ואת מטרותיה."),
    ("policymaker-23", 23, "policymaker", "I have spoken or acted in support of changes the initiative seeks.", "דיברתי או פעלתי לטובת שינויים שהיוזמה מבקשת לקדם."),
    ("policymaker-24", 24, "policymaker", "Policies in my area of responsibility are becoming more aligned with the initiative's goals.", "המדיניות בתחום אחריותי הולכת ומתאימה יותר למטרות היוזמה."),
    # Funders: a short form.
    ("funder-25", 25, "funder", "We ask the organisations we fund to align their work with the initiative's goals.", "אנו מבקשים מהארגונים שאנו מממנים להתאים את עבודתם למטרות היוזמה."),
    ("funder-26", 26, "funder", "We have redirected resources to support the initiative's goals.", "הסטנו משאבים לתמיכה במטרות היוזמה."),
    ("funder-27", 27, "funder", "Our funding for the initiative and its partners has grown since we joined.", "המימון שלנו ליוזמה ולשותפיה גדל מאז שהצטרפנו."),
]


def load(BackboneFunction, Indicator, SurveyItem) -> None:
    """Write the catalogue with the given model classes (the migration's historical ones, or the
    real ones where a test flushed the database). Idempotent: rows are updated in place."""
    functions = {}
    for order, (code, name_en, name_he) in enumerate(FUNCTIONS, start=1):
        functions[code], _ = BackboneFunction.objects.update_or_create(
            code=code, defaults={"order": order, "name_en": name_en, "name_he": name_he}
        )
    indicators = {}
    for number, code, name_en, name_he in INDICATORS:
        indicators[number], _ = Indicator.objects.update_or_create(
            initiative=None,
            number=number,
            defaults={"function": functions[code], "name_en": name_en, "name_he": name_he},
        )
    for order, (code, number, group, text_en, text_he) in enumerate(ITEMS):
        SurveyItem.objects.update_or_create(
            initiative=None,
            code=code,
            defaults={
                "indicator": indicators[number],
                "group": group,
                "text_en": text_en,
                "text_he": text_he,
                "order": order,
                "active": True,
            },
        )
