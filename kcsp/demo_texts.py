"""The words of the demonstration store's meeting packs: the introduction and each priority's context.

Written for this product from facts in the seed papers (the Kent CSA Action Plan & Performance
Summary of February 2018 and the CSA update to the KCSP of 21 November 2024), never copied from
them. kcsp.demo turns them into ``pack_texts`` rows marked illustrative.
"""

from __future__ import annotations

PAPER_2018 = ("Kent Community Safety Agreement: Action Plan & Performance Summary, appendix to the Crime and "
              "Disorder Committee papers, 28 February 2018")
PAPER_2024 = "Kent Community Safety Agreement Update, report to the Kent Community Safety Partnership, 21 November 2024"

INTRODUCTION_BODY = """\
The Kent Community Safety Partnership (KCSP) has asked its Working Group to manage the action plan \
of the Kent Community Safety Agreement and to follow a small set of measures chosen to stand for \
each priority. Partners update their actions before each Working Group review (usually October and \
January); the Working Group reports significant changes and concerns to the KCSP, which meets in \
March, July and November.

For each priority this pack gives the lead's context in their own words, the measures and what \
changed since the last meeting, and the actions with their latest status.

What the measures can and cannot say:
- They show a direction of travel. They do not measure the action plan alone: much besides the \
partnership's work moves them.
- Recorded crime and incidents reflect how offences are recorded and how readily people report \
them, as well as how often they happen: a rise can mean more confidence to come forward.
- Some series change how they count. Road casualties recorded through CRASH from January 2016 are \
not comparable with earlier years, and no change is judged across such a break.
- Series marked illustrative are generated for this demonstration, calibrated to the figures in \
the partnership's papers. They are not real figures for recent months."""

INTRODUCTION_REFERENCES = f"{PAPER_2018}\n{PAPER_2024}"

CONTEXT_MEETINGS = ("kcsp-2026-07-16", "kcsp-2026-11-19")
"""The meetings the demonstration store has contexts for, oldest first; the introduction is written
for the first of them and carried to every later one."""

CONTEXTS: dict[tuple[str, str], tuple[str, str]] = {
    ("kcsp-2026-07-16", "neighbourhood-crime-asb"): ("""\
Anti-social behaviour stays a priority for most local partnerships, on its own or as part of a wider \
theme. Many incidents are not crimes in law, so the counts move with how incidents are logged as well \
as with what happens on the street. For scale, the partnership's 2018 papers recorded 46,036 \
incidents in Kent and Medway in 2016 and 40,151 in 2017, a fall of 12.8%.

Partners are sharing the resources from this spring's ASB workshop and planning training on the \
tools and powers, funded through the Crime Reduction Grant.""", PAPER_2018),
    ("kcsp-2026-11-19", "neighbourhood-crime-asb"): ("""\
The Working Group reviewed the neighbourhood crime and ASB actions at its October meeting. Since then:
- community safety information sessions have shared what works locally against ASB;
- the partner training funded through the Crime Reduction Grant has been scheduled.

Joint casework, shared between the police, community wardens and councils, remains the basis of \
the approach.""", PAPER_2024),
    ("kcsp-2026-07-16", "domestic-abuse"): ("""\
More domestic abuse reported to the police is not in itself a sign of more abuse: better recording, \
trained frontline officers and campaigns that lessen the stigma all bring more victims forward. The \
partnership's papers put reported incidents in Kent and Medway at 34,664 in 2016 and 39,756 in 2017.

Partners are renewing the domestic abuse services website, recommissioning services and working \
together on the multi-agency risk assessment conferences (MARACs).""", PAPER_2018),
    ("kcsp-2026-11-19", "domestic-abuse"): ("""\
This meeting falls just before the 16 Days of Action against domestic abuse, which partners support \
across the county.

A common way of recording One Stop Shop visits is being introduced, so that the shops' figures can \
be compared with each other. The MARAC and One Stop Shop series shown here are illustrative.""",
                                           PAPER_2024),
    ("kcsp-2026-07-16", "substance-misuse"): ("""\
Deaths related to drug poisoning are counted by the year they were registered, which can be months \
after the death, so the latest year may still rise. For scale, the partnership's 2018 papers \
recorded 213 drug-related deaths and 332 alcohol-specific deaths in the three years 2014 to 2016.""",
                                             PAPER_2018),
    ("kcsp-2026-11-19", "substance-misuse"): ("""\
The multi-agency substance misuse partnership reports to this meeting alongside this summary.

Yearly counts of deaths are small enough to move a good deal by chance: a change is judged by an \
exact test of the two years, never by the difference alone.""", PAPER_2024),
    ("kcsp-2026-07-16", "safeguarding"): ("""\
No single measure can stand for a subject as broad as safeguarding vulnerable people. The \
safeguarding boards and their subgroups lead on much of it, and the partnership takes part in their \
reporting.

Scam victims visited and supported by the Kent Community Warden Service are shown as one indication, \
bearing in mind that only a small share of scams is ever reported.""", PAPER_2018),
    ("kcsp-2026-11-19", "safeguarding"): ("""\
Partners supported Safeguarding Adults Awareness Week with events and training across the county. \
The scam victims series shown here is illustrative.""", PAPER_2024),
    ("kcsp-2026-07-16", "serious-violence-organised-crime"): ("""\
Community safety now takes in organised crime groups, gangs, county lines and exploitation. Kent \
Police's local serious and organised crime profiles are shared with partners through the Safer \
Communities portal to inform local plans.

Violence, robbery and weapons offences here are police.uk records: they count offences as the police \
recorded them.""", PAPER_2018),
    ("kcsp-2026-11-19", "serious-violence-organised-crime"): ("""\
A report from the partnership working on serious violence comes to this meeting. Most disruption of \
organised crime groups is still led by law enforcement; the powers other partners hold can widen it.""",
                                                             PAPER_2024),
    ("kcsp-2026-07-16", "extremism-hate"): ("""\
Recorded hate crimes and incidents in Kent and Medway rose from 1,730 in 2016 to 3,082 in 2017, in \
the partnership's papers. The rise was thought to reflect both a real increase around high-profile \
events and better recording by the police, so a rise can also mean that more victims report.""",
                                           PAPER_2018),
    ("kcsp-2026-11-19", "extremism-hate"): ("""\
A report on preventing extremism comes to this meeting from the multi-agency board that leads the \
Prevent duty. The hate crime and Prevent referral series shown here are illustrative.""", PAPER_2024),
    ("kcsp-2026-07-16", "road-safety"): ("""\
Road safety is among the concerns residents raise most, speeding above all. Serious injuries \
recorded since January 2016, when Kent moved to the CRASH recording system, are not comparable with \
earlier years: CRASH records as serious some injuries that were counted as slight before. No change \
is judged across that break.""", PAPER_2018),
    ("kcsp-2026-11-19", "road-safety"): ("""\
Partners coordinate road safety campaigns through the Kent and Medway Casualty Reduction \
Partnership, following the national roads policing calendar.

A year's casualty figures are confirmed some months after it ends, so the latest months may change.""",
                                        PAPER_2018),
    ("kcsp-2026-07-16", "vawg"): ("""\
Much violence against women and girls is never reported, so recorded offences show the part that \
reaches the police rather than the whole. Learning sessions on violence against women and girls are \
being arranged for partners.""", PAPER_2024),
    ("kcsp-2026-11-19", "vawg"): ("""\
The 16 Days of Action, starting in late November, take in violence against women and girls as well \
as domestic abuse. The offences series shown here is illustrative.""", PAPER_2024),
}
"""(meeting id, priority id) -> (body, references)."""
