"""What people run: the command line, the launcher, the in-process bot behind `bot ask`, eval, bench."""
