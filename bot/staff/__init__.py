"""Staff accounts and console sign-ins: password hashes, sessions that expire, the login throttle."""
