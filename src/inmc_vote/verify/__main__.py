"""`python -m inmc_vote.verify BUNDLE ...`, the same as `inmc-vote verify`."""

from inmc_vote.verify.command import main

if __name__ == "__main__":
    raise SystemExit(main())
