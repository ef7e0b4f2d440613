"""What the source says initiatives learn the hard way, as data: the starting list of the risk
register and the reasons behind the three levels of shared measurement.

Each entry cites its line in `reference/000_88d2c8dd380a7319.txt` and quotes the source's own
Hebrew words; the English title and the suggested mitigation are translated like every string.
Nothing here is stored: a risk taken from the list keeps the entry's key, so that it is shown in
the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from measurement.choices import Level

from .choices import RiskCategory


@dataclass(frozen=True)
class StartingRisk:
    key: str
    category: str
    line: str  # the source's line (or lines)
    title: Promise
    quote: str  # the source's words, in Hebrew
    mitigation: Promise  # what the source suggests, as a starting point

    def get_category_display(self) -> str:
        return str(RiskCategory(self.category).label)


STARTING_RISKS: tuple[StartingRisk, ...] = (
    # Line 402: the challenges collective impact brings with it.
    StartingRisk(
        "partners_never_worked_together",
        RiskCategory.PITFALL,
        "402",
        _("Bringing together people who have never worked with each other"),
        "הקושי לרכז אנשים שמעולם לא שיתפו פעולה זה עם זה",
        _("Build trust and form agreements before the formal launch; meet regularly and share results."),
    ),
    StartingRisk(
        "foundation_nonprofit_relations",
        RiskCategory.PITFALL,
        "402",
        _("The complex relationship between foundations and nonprofits"),
        "מורכבות הקשר בין קרנות ועמותות",
        _("Agree openly on what funders expect and how partners report, in the steering committee."),
    ),
    StartingRisk(
        "agreeing_on_measures",
        RiskCategory.PITFALL,
        "402",
        _("Difficulty agreeing on shared measures"),
        "הקושי בהסכמה על מדדים משותפים",
        _(
            "Agree first on the problem and the goal; choose few measures, and revisit them as partners learn."
        ),
    ),
    StartingRisk(
        "backbone_competition",
        RiskCategory.PITFALL,
        "402",
        _("Competition between organisations that want to be the backbone"),
        "הסיכון של היווצרות תחרות בין ארגונים השואפים לשמש כארגוני שדרה",
        _("Choose the backbone openly, for its neutrality and credibility (line 270)."),
    ),
    StartingRisk(
        "local_politics",
        RiskCategory.PITFALL,
        "402",
        _("Obstacles set by local politics"),
        "המכשולים שמציבה הפוליטיקה המקומית",
        _("Seat local government on the steering committee and keep policymakers informed."),
    ),
    StartingRisk(
        "wrong_results",
        RiskCategory.PITFALL,
        "402",
        _("Expecting the wrong kind of results"),
        "המכשול הגדול מכולם הטמון בציפייה של הארגונים המשתתפים ביוזמות קולקטיב אימפקט להגיע לתוצאות הלא נכונות",
        _(
            "Say from the start that phases I to III take six months to two years and the fourth a "
            "decade or more (line 314); publish progress and successes at every phase."
        ),
    ),
    # Lines 196-209: why measurement is one of the greatest challenges.
    StartingRisk(
        "measuring_complex_systems",
        RiskCategory.MEASUREMENT,
        "198",
        _("Measuring change in complex systems, under instability and uncertainty"),
        "האתגר שכרוך בעצם הניסיון למדוד שינוי במערכות מורכבות ובתנאים של אי-יציבות ואי-ודאות",
        _("Add developmental measurement: the how and the why beside the what (line 211)."),
    ),
    StartingRisk(
        "replacing_single_organisation_measurement",
        RiskCategory.MEASUREMENT,
        "199",
        _("Replacing measurement of one organisation's impact, done after the fact"),
        "ההכרח להחליף את אסטרטגיות המדידה המסורתיות המודדות רק את השפעת פעילותו של ארגון אחד ומיושמות בדרך כלל בדיעבד",
        _("Measure the results of the whole range of interventions, period by period (line 190)."),
    ),
    StartingRisk(
        "differing_priorities",
        RiskCategory.MEASUREMENT,
        "200",
        _("Partners' differing priorities and fear of criticism"),
        "סדרי עדיפויות שונים של השותפים ביוזמה והפחד מביקורת שמאתגרים את היכולת להסכים על המדדים המשותפים",
        _("Keep confidentiality alongside transparency: raw data stays with its organisation (line 194)."),
    ),
    StartingRisk(
        "scarce_measurement_resources",
        RiskCategory.MEASUREMENT,
        "208",
        _("Organisations have few resources to measure their own work"),
        "לארגונים באופן כללי יש מעט משאבים המאפשרים להם למדוד את פעילותם",
        _("Backbone staff train partners and check the accuracy of the data (line 194)."),
    ),
    StartingRisk(
        "measurement_cost",
        RiskCategory.MEASUREMENT,
        "209",
        _("The cost and operation of measurement in the social field"),
        "שיקולי עלות, תפעול וביצוע שהם תמיד מסובכים ויקרים כשמדובר במדידה בשדה החברתי",
        _("Fund the shared measurement system as part of the backbone, from the start."),
    ),
    # Lines 272-280: the backbone's two central challenges.
    StartingRisk(
        "backbone_leadership",
        RiskCategory.BACKBONE,
        "274",
        _("Finding a leader who moves people and still lets the participants lead"),
        "אתגר ההנהגה – איתור מנהיג/ה מוביל/ה בעל/ת יכולת הנהגה משמעותית ויכולת להניע אנשים",
        _("Look for a conductor, not a soloist: someone who strengthens the partners' own leadership."),
    ),
    StartingRisk(
        "backbone_funding",
        RiskCategory.BACKBONE,
        "275–280",
        _("Funders who do not see why the backbone needs support"),
        "גיוס כספים אף על פי שקרנות ותורמים רבים עדיין אינם מבינים את הצורך בתמיכה בארגוני שדרה",
        _(
            "Show funders that about one percent of the funding, for the backbone, makes the other "
            "ninety-nine percent dramatically more effective."
        ),
    ),
)

BY_KEY: dict[str, StartingRisk] = {risk.key: risk for risk in STARTING_RISKS}


@dataclass(frozen=True)
class LevelReason:
    level: str
    line: str
    quote: str
    reason: Promise


# Lines 188-192: shared measurement marks progress from at least three angles.
LEVEL_REASONS: tuple[LevelReason, ...] = (
    LevelReason(
        Level.POPULATION,
        "190",
        "מדידת התוצאות של מגוון ההתערבויות, ולא מדידה של האפקטיביות של כל תכנית בנפרד",
        _(
            "Without a population outcome, the initiative measures each programme on its own and "
            "cannot tell whether the whole range of interventions moves the problem."
        ),
    ),
    LevelReason(
        Level.PROCESS,
        "191",
        "מדידת התוצאות של התהליך המשותף",
        _(
            "Without a measure of the joint process, nobody sees whether the partners' work together "
            "is advancing, long before the population results can move."
        ),
    ),
    LevelReason(
        Level.INTERACTION,
        "192",
        "מדידת יחסי הגומלין בין השותפים",
        _(
            "Without a measure of partner relationships, the trust and collaboration the approach "
            "rests on go unseen (the partner-relationship survey of the working groups can feed one)."
        ),
    ),
)
