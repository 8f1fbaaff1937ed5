"""`python -m bot ...`: see bot.tools.cli."""

from bot.tools.cli import main

raise SystemExit(main())
