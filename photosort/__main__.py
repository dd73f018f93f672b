from photosort.cli import main

raise SystemExit(main())
