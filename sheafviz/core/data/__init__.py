"""What users load and save: data sets, presets, session files, torch imports."""
