"""Command-line tools for analysis on files: usable with or without the web app."""
