from sadtui.launch import main

raise SystemExit(main())
