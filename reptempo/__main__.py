"""`python -m reptempo` is the `reptempo` command."""

from reptempo.cli import main

raise SystemExit(main())
