import sys

from cockpit.cli import main

# Guarded: the ingest process pool starts workers with "spawn", which imports __main__ again.
if __name__ == "__main__":
    sys.exit(main())
