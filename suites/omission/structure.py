"""Structure: does a set of safeguarding minutes hold the parts the minutes standard asks for?

The standard (DOMAIN.md, "what good minutes contain") asks for: date; attendees with role and
agency; apologies; chair; minute-taker; whether the adult attended; purpose; the concern and its
category; the alleged source of risk; the adult's views, wishes and desired outcomes; capacity;
information shared by agencies; risk assessment and level; decisions; dissent; protection plan;
actions with owners and deadlines; referrals; next meeting or review.

Each element is found by a documented pattern (a heading or a phrase) anywhere in the output.
Attendees count as complete when each person named in the source's attendance (the case's
`metadata.speakers`) appears with their role or agency within the same line. `value` is the share
of elements found, lowered by the share of attendees without role or agency; the case fails when
an element marked essential is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.goldens import Case
from harness.scoring import Finding, Score


@dataclass(frozen=True)
class Element:
    name: str
    pattern: str
    essential: bool


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
ELEMENTS: tuple[Element, ...] = (
    Element("date", r"\b(?:dated?|\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"|" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?\b"
            r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|the \d{1,2}(?:st|nd|rd|th))\b", True),
    Element("attendees", r"\b(?:attendees?|attendance|present|attending|in attendance|participants?|members)\b", True),
    Element("apologies", r"\bapolog(?:y|ies|ised)\b", False),
    Element("chair", r"\bchair(?:s|ed|ing|person)?\b", True),
    Element("minute_taker", r"\b(?:minute|note)[- ]?takers?\b|\bminut(?:es|ed|ing)? (?:taken|by)\b|\(minutes\)|\bminuting\b"
            r"|^\W*(?:minutes|notes)\W*:\s*\S", False),
    Element("adult_attendance", r"\b(?:did not attend|attended|not present|was present|joined|declined to attend|views were relayed|relayed|(?:the )?adult\)|\(adult)", False),
    Element("purpose", r"\b(?:purpose|reason for (?:the )?meeting|aims? of the meeting|meeting was (?:called|convened|held) to)\b", False),
    Element("concern_and_category", r"\b(?:concerns?|allegations?)\b.*|\b(?:physical|sexual|psychological|financial|material|neglect|discriminatory|organisational|domestic|modern slavery|self-neglect)\b", True),
    Element("alleged_source_of_risk", r"\b(?:sources? of (?:the )?risk|alleged (?:perpetrator|source|abuser)|person alleged|persons? (?:alleged|causing)|allegation concerns|subject of the allegation)\b", False),
    Element("views_and_wishes", r"\b(?:views?|wish(?:es|ed)?|desired outcomes?|wants?|wanted|said|told|voice)\b", True),
    Element("capacity", r"\b(?:capacity|capacitous|mental capacity act|mca)\b", True),
    Element("agency_information", r"\b(?:police|gp|nhs|provider|housing|information shared|reported)\b", False),
    Element("risk_level", r"\brisks?\b[^.\n]{0,60}\b(?:high|medium|moderate|low|critical|significant|reduced|remains?)\b|\b(?:high|medium|moderate|low)\b[^.\n]{0,20}\brisks?\b|^\W*(?:\d+(?:\.\d+)*\.?\s*)?risks?(?: assessment)?\W*$", False),
    Element("decisions", r"\b(?:decisions?|decided|agreed|outcomes?|substantiated|concluded|resolved)\b", True),
    Element("dissent", r"\b(?:dissent(?:ed|ing)?|disagree(?:d|s|ment)?|did not agree|objected|not happy|minuted that|different view|does not agree)\b", False),
    Element("protection_plan", r"\b(?:protection plan|safety plan|interim protection|protective measures|plans?)\b", False),
    Element("actions", r"\b(?:actions?|to [a-z]+ .{0,80}\bby\b)", True),
    Element("referrals", r"\b(?:referr(?:al|als|ed|ing)|refer|marac|cqc|advocacy|advocate|imca|pipot)\b", False),
    Element("next_review", r"\b(?:next (?:meeting|review|strategy)|review (?:date|meeting)|reconvene|reviews?|reviewed|follow[- ]up meeting)\b", True),
)


def _attendee_lines(case: Case, output: str) -> tuple[int, list[str]]:
    """(people expected, names of those with no role or agency beside their name)."""
    speakers = case.metadata.get("speakers") or []
    lines = output.splitlines()
    missing: list[str] = []
    for person in speakers:
        name, role, agency = str(person.get("name", "")), str(person.get("role", "")), str(person.get("agency", ""))
        surname = name.split()[-1] if name.split() else ""
        cue_words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", f"{role} {agency}")} - {"with", "from", "team", "council"}
        found = False
        for line in lines:
            if surname and surname in line and cue_words & {w.lower() for w in re.findall(r"[A-Za-z]{4,}", line)}:
                found = True
                break
        if not found:
            missing.append(name)
    return len(speakers), missing


class MinutesStructureScorer:
    """Share of the minutes standard's elements present, less attendees without role/agency (1 = complete)."""

    name = "minutes_structure"
    version = "1.1.0"
    threshold = 0.8
    description = "Sections the safeguarding-minutes standard asks for, and attendees with role and agency."

    def score(self, case: Case, output: str) -> Score:
        if case.task != "safeguarding_minutes":
            return Score.unscored("structure is defined for safeguarding minutes only")
        found = {e.name: bool(re.search(e.pattern, output, re.I | re.M)) for e in ELEMENTS}
        expected, without_role = _attendee_lines(case, output)
        share = sum(found.values()) / len(ELEMENTS)
        attendee_gap = len(without_role) / expected if expected else 0.0
        value = max(0.0, share - 0.25 * attendee_gap)
        findings = [Finding(kind="missing_section", severity="major" if e.essential else "minor",
                            reason=f"the minutes standard asks for {e.name.replace('_', ' ')}; none found")
                    for e in ELEMENTS if not found[e.name]]
        if without_role:
            findings.append(Finding(kind="attendee_without_role", severity="minor",
                                    reason="attendees named without role or agency: " + ", ".join(without_role)))
        essential_missing = [e.name for e in ELEMENTS if e.essential and not found[e.name]]
        return Score(value=value, passed=not essential_missing and value >= self.threshold, findings=findings,
                     details={"elements": found, "essential_missing": essential_missing,
                              "attendees_expected": expected, "attendees_without_role_or_agency": without_role})
