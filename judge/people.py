"""Who is in a source, and whose words each part of it is.

`people_in` finds full names: speaker labels of a transcript ("Kofi Asante: ..."), authors of case
notes ("Author: Tom Hargreaves, Social Worker"), and two or three capitalised uncommon words in a
row that are not places, services, roles or benefits ("Eastvale Civic Centre", "Occupational
Therapist" and "Attendance Allowance" are left out; "Daughter Marcia Campbell" gives "Marcia
Campbell"). `voice_at` says who is speaking (or writing) at an offset of
the source. Both are heuristics for English-language council records, checked on the bundled
golden sets; a name they miss is simply not checked.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .text import word_frequency

TITLE = r"(?:Dr|DC|PC|DS|DI|DCI|Mr|Mrs|Ms|Miss|Mx|Sister|Cllr|Station Officer|To)\.? "
# Words in the name of a place, service, organisation, benefit or community, never in a person's name.
ORGANISATION_WORDS = frozenset("""
Hub Team Service Services Unit Centre House Court Council Trust Surgery Ward Road Street Lane Avenue Close Grange
Lodge Hall Care Support Group Borough Civic Advocacy Carers Hospitals Hospital Integrated Neighbourhood Constabulary
Police Partnership Practice Homecare Reablement Safeguarding Interpreting Careline Telecare Hospice Society Bank
Protocol Motors Builders Payroll Neurology Urgent Handyperson Installer Sensory Contracts Travellers Gypsy
Metropolitan General Medical Health Housing Association Foundation Ltd Limited College School Church Mosque Temple
Pentecostal Buddhist Riverside Southside Tenancy Passenger Occupational Sustainment Grove Safer Healthcare Allowance
Behaviour Reduction Compact Stairlifts
""".split())
# Job titles and other capitalised words that precede or follow a name without being one.
ROLE_WORDS = frozenset("""
Detective Constable Sergeant Inspector Consultant Psychiatrist Nurse Specialist Registrar Officer Elderly Respiratory
Coordinator Therapist Manager Worker Assessor Prescribed Phoned Station Senior Junior Lead Chair Uncle Aunt Onset
Attends Discharge Liaison
""".split())
_SPEAKER = re.compile(rf"^(?:{TITLE})?([A-Z][a-z]+(?:[ -][A-Z][a-z'’]+)+):", re.M)
_ANY_LABEL = re.compile(r"^[A-Z][\w'’. -]{0,40}:", re.M)
_AUTHOR = re.compile(rf"Author: (?:{TITLE})?([A-Z][a-z]+(?: [A-Z][a-z'’-]+)+)")
_NAME_WORD = r"(?:O['’])?[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?"  # "Campbell", "O'Donnell", "Nowak-Clarke"
_RUN = re.compile(rf"\b{_NAME_WORD}(?: {_NAME_WORD})+\b")  # capitalised words in a row: "Daughter Marcia Campbell"
_NOT_NAME = ORGANISATION_WORDS | ROLE_WORDS


def _plausible(name: str) -> bool:
    return not set(name.replace("-", " ").split()) & _NOT_NAME


@lru_cache(maxsize=256)
def _people(source: str) -> tuple[str, ...]:
    labelled = [m.group(1) for m in _SPEAKER.finditer(source)] + [m.group(1) for m in _AUTHOR.finditer(source)]
    lower_words = set(re.findall(r"\b[a-z]+\b", source))
    org_words = "|".join(sorted(ORGANISATION_WORDS))
    places = {m.group(1) for m in re.finditer(rf"\b([A-Z][a-z]+) (?:[A-Z][a-z]+ )?(?:{org_words})\b", source)}
    pairs = []
    for m in _RUN.finditer(source):
        words = m.group(0).split()
        if any(w.endswith(("'s", "’s")) for w in words[:-1]):
            continue  # "Doyle's Northgate", "New Year's Eve"
        if set(words) & ORGANISATION_WORDS or words[0] in places:
            continue  # "Eastvale Civic Centre", "Kettleby Reablement": a place or a service
        while words and (words[0] in _NOT_NAME or word_frequency(words[0]) >= 4.5 or words[0].lower() in lower_words):
            words = words[1:]  # "Daughter Marcia Campbell" -> "Marcia Campbell"
        if words and words[-1].endswith(("'s", "’s")):
            words[-1] = words[-1][:-2]  # "Craig Dobson's" -> "Craig Dobson"
        if not 2 <= len(words) <= 3:
            continue
        if all(word_frequency(w) < 4.5 and w.lower() not in lower_words for w in " ".join(words).replace("-", " ").split()):
            pairs.append(" ".join(words))  # a word the source also writes in lower case is not a name ("Phoned")
    return tuple(name for name in dict.fromkeys(labelled + pairs) if _plausible(name))


def authors_in(source: str) -> list[str]:
    """The authors of the case notes in a source ("Author: Tom Hargreaves, Social Worker")."""
    return list(dict.fromkeys(m.group(1) for m in _AUTHOR.finditer(source)))


def people_in(source: str) -> list[str]:
    """Full names of the people in a source (speakers, note authors and other named people), first seen first."""
    return list(_people(source))


@lru_cache(maxsize=256)
def _voices(source: str) -> tuple[tuple[int, ...], tuple[str | None, ...]]:
    speakers = {m.start(): m.group(1) for m in _SPEAKER.finditer(source)}
    # any other label ("Chair:", "Interpreter:") ends the turn before it without naming a voice
    # (in a transcript: case notes are in their author's voice down to the next note, "Plan:" and all)
    authors = [(source.rfind("\n", 0, m.start()) + 1, m.group(1)) for m in _AUTHOR.finditer(source)]
    turns = [(m.start(), speakers.get(m.start())) for m in _ANY_LABEL.finditer(source)] if not authors else list(speakers.items())
    found = sorted(turns + authors)
    return tuple(s for s, _ in found), tuple(n for _, n in found)


def voice_at(source: str, offset: int) -> str | None:
    """Who speaks (transcript label) or writes (note author) the text at `offset`; None before any label
    or in a turn whose label is not a full name."""
    starts, names = _voices(source)
    i = bisect.bisect_right(starts, offset) - 1
    return names[i] if i >= 0 else None


def name_pattern(person: str) -> str:
    """A regex alternation of the words that name a person: first name, surname, and the last part
    of a double-barrelled surname ("Ewa Nowak-Clarke": Ewa, Nowak-Clarke, Clarke)."""
    parts = person.replace("-", " ").split()
    return "|".join(re.escape(p) for p in sorted({parts[0], parts[-1], person.split()[-1]}, key=len, reverse=True))


def mentioned(person: str, text: str) -> bool:
    """True when the text names the person by first name or surname."""
    return re.search(rf"\b(?:{name_pattern(person)})\b", text) is not None


_DEFINED_INITIALS = re.compile(r"\b([A-Z][a-zA-Z'’-]+(?:[^\S\n]+[A-Z][a-zA-Z'’-]+){1,3})[^\S\n]*\(([A-Z][A-Za-z]{1,5})\)")
_GENERIC_ROLES = {"worker", "manager", "officer", "member", "lead", "nurse", "carer", "advocate", "police"}


def defined_initials(output: str) -> dict[str, str]:
    """Initials an output defines for a name, as house styles that use initials after first mention
    do: "Sabina Akhtar (SbA)" -> {"SbA": "Sabina Akhtar"}."""
    return {m.group(2): m.group(1) for m in _DEFINED_INITIALS.finditer(output)}


def aliases(output: str, speakers: list[dict[str, str]]) -> dict[str, str]:
    """Other ways an output names a person, each with the full name it stands for: initials the output
    defines (`defined_initials`), and a speaker's role where no other speaker has it ("the Quality
    Assurance Officer", "the Chair" for the speaker whose role says chair), as house styles that use
    initials or roles after first mention write them. Bare generic roles ("officer") are never aliases."""
    found = defined_initials(output)
    roles: dict[str, set[str]] = {}
    for person in speakers:
        name, role = str(person.get("name", "")), str(person.get("role", ""))
        parts = [role.split("(")[0]] + re.findall(r"\(([^)]+)\)", role)
        for part in {" ".join(p.lower().split()) for p in parts if len(p.strip()) > 3}:
            roles.setdefault(part, set()).add(name)
    found.update({role: next(iter(names)) for role, names in roles.items() if len(names) == 1 and role not in _GENERIC_ROLES})
    return found
