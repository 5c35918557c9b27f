"""ROI: a standard, cross-council measure of net time saved, cost and staff wellbeing.

One submission per council and tool (`roi/submission.py`), the calculations (`calculate.py`),
their uncertainty and switching values (`uncertainty.py`), staff wellbeing (`wellbeing.py`), what
measured hallucination and omission rates imply (`quality.py`), comparison across councils
(`standardise.py`), the whole appraisal (`appraise.py`), its output (`report.py`) and the
`assure roi` command (`cli.py`). Every default is documented with its source in `defaults.py`;
bundled files are found through `paths.py`.
"""
