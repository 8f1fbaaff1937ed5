"""The web server: the workers' chat page and the staff console."""
