"""Where articles come from: files, folders and stdin, turned into input records (no spaCy here)."""
