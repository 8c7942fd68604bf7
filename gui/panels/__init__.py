"""The docked panels: palette, inspector, problems, data set and their widgets."""
