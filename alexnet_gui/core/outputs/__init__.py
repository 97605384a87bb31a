"""What a run leaves behind: results and their CSV, provenance, the resume journal, sorted folders, output checks."""
