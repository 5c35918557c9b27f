"""Building golden-set material: counterfactual variants, injected defects and faithful rewrites.

`assure goldens ...` (registered through the `assure.commands` entry point) is its command line.
"""
