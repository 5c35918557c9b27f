"""Floor 3: the Dash dashboard and the end-to-end demo."""
