"""The only write path: one function per action, each in one transaction.

Every function takes the `Database`, the acting person and the time, checks the
rules of `domain/`, writes, and records the action in the ballot's event log in
the same transaction, so that a refused action leaves nothing behind.
"""
