"""`python -m article8.cli`."""

from article8.cli import main

main()
