"""The web server: the workers' chat page now, the staff console beside it later."""
