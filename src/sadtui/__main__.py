from sadtui.cli import main

raise SystemExit(main())
