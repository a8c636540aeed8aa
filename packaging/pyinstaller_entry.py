"""Entry point frozen into the PyInstaller bundle."""

from traystatus.app.main import main

raise SystemExit(main())
