"""newsflow's core: the pipeline stages as plain functions on plain data, and their Celery wrappers."""
