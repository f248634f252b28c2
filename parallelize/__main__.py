"""``python -m parallelize`` runs the command line."""

from parallelize._cli import main

raise SystemExit(main())
