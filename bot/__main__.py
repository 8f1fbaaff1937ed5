"""`python -m bot ...`: see bot.cli."""

from bot.tools.cli import main

raise SystemExit(main())
