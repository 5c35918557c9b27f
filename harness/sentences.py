"""Plain-English statements of a comparison, for a procurement panel or a pull-request comment.

Only differences significant after Holm correction are stated as differences; each sentence says the
counts it rests on and the adjusted p-value, so a reader can weigh it.
"""

from __future__ import annotations

from .compare import Comparison, PairComparison, ScorerDifference, TopicDifference

_TOPIC_PHRASES = {
    "omitted_key_fact": "omits {what}",
    "partial_key_fact": "only partly records {what}",
}
_CATEGORY_WORDS = {
    "views wishes": "the adult's views and wishes", "capacity": "the capacity assessment", "risk": "the risks",
    "decision": "the decisions", "action": "the actions", "protection plan": "the protection plan",
    "dissent": "a dissenting view", "attendance": "who attended", "meeting details": "the meeting details",
    "concern": "the concern", "alleged source": "who the concern is about", "agency information": "what agencies reported",
    "referral": "the referral", "next review": "the next review date", "health": "health information",
    "chronology": "the chronology", "carer": "the carer's position",
}


def p_text(p: float | None) -> str:
    """A p-value as written in a sentence: 'p = 0.031', 'p < 0.001'."""
    if p is None:
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significant_statements(comparison: Comparison) -> list[str]:
    """Every difference significant at the comparison's alpha after Holm, as one sentence each."""
    lines: list[str] = []
    for pair in comparison.pairs:
        a, b = comparison.side(pair.run_a), comparison.side(pair.run_b)
        for d in pair.scorers:
            if d.p_holm is not None and d.p_holm < comparison.alpha and d.difference:
                lines.append(_mean_sentence(a.label, b.label, d))
            if d.mcnemar_p_holm is not None and d.mcnemar_p_holm < comparison.alpha:
                lines.append(_pass_sentence(a.label, b.label, d))
        lines.extend(_topic_sentence(a.label, b.label, t) for t in pair.topics
                     if t.p_holm is not None and t.p_holm < comparison.alpha)
    return lines


def no_difference_statement(comparison: Comparison) -> str:
    """What to say when nothing is significant: absence of evidence, with the sample size."""
    return (f"No difference between the tools is significant at {comparison.alpha:g} after Holm correction, on "
            f"{comparison.shared_cases} shared cases. That is not proof they are equal: small differences need more cases.")


def _mean_sentence(a: str, b: str, d: ScorerDifference) -> str:
    better, worse = (b, a) if (d.difference or 0) > 0 else (a, b)
    assert d.mean_a is not None and d.mean_b is not None and d.difference is not None
    return (f"{better} scores higher than {worse} on {d.scorer}: mean {max(d.mean_a, d.mean_b):.3f} against "
            f"{min(d.mean_a, d.mean_b):.3f} on {d.n_shared} cases (difference {abs(d.difference):.3f}, 95% CI "
            f"{_interval(d)}; {p_text(d.p_holm)} after Holm).")


def _pass_sentence(a: str, b: str, d: ScorerDifference) -> str:
    return (f"{b} passes {d.scorer} in {d.passed_b} of {d.n_shared} cases where {a} passes {d.passed_a} "
            f"({d.only_b_passed} passed by {b} only, {d.only_a_passed} by {a} only; McNemar {p_text(d.mcnemar_p_holm)} after Holm).")


def _topic_sentence(a: str, b: str, t: TopicDifference) -> str:
    kind, _, category = t.topic.partition(": ")
    if category and kind in _TOPIC_PHRASES:
        verb = _TOPIC_PHRASES[kind].format(what=_CATEGORY_WORDS.get(category, category))
        return (f"{b} {verb} in {t.cases_b} of {t.n_shared} cases where {a} does so in {t.cases_a} "
                f"({t.scorer}; {p_text(t.p_holm)} after Holm).")
    return (f"{b} has a major or critical '{kind}' finding ({t.scorer}) in {t.cases_b} of {t.n_shared} cases, "
            f"{a} in {t.cases_a} ({p_text(t.p_holm)} after Holm).")


def _interval(d: ScorerDifference) -> str:
    low, high = d.ci
    if low is None or high is None:
        return "n/a"
    if (d.difference or 0) < 0:
        low, high = -high, -low
    return f"{low:.3f} to {high:.3f}"


def pair_title(comparison: Comparison, pair: PairComparison) -> str:
    return f"{comparison.side(pair.run_b).label} against {comparison.side(pair.run_a).label}"
