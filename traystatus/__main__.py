"""Allow ``python -m traystatus``."""

from traystatus.app.main import main

raise SystemExit(main())
