"""The Textual dashboard (arrives with the dashboard issue)."""
