from audit_deps.cli import main

raise SystemExit(main())
