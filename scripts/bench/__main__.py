"""`python -m scripts.bench`: the benchmark's command line (see the package docstring)."""

from .runner import main

raise SystemExit(main())
