"""The course's JupyterLab: its settings (overrides.json), its page config (page_config.json) and
its set-up (`python -m course_lib.lab`)."""
