"""uwsgi-lint: read uWSGI configs exactly as uWSGI does, and say what will go wrong."""

__version__ = "0.1.0"
