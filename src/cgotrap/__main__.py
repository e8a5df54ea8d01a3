"""`python -m cgotrap`."""

from cgotrap.cli.main import main

raise SystemExit(main())
