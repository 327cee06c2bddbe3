"""`python -m strikescope`: the same as the `strikescope` command."""

from strikescope.cli import main

if __name__ == "__main__":
    main()
