"""The course's JupyterLab: its settings (overrides.json) and its set-up (`python -m course_lib.lab`)."""
