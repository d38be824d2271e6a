"""`python -m inmc_vote.cli`: the same command as `inmc-vote`."""

from inmc_vote.cli import main

raise SystemExit(main())
