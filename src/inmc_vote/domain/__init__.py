"""Pure rules with no I/O: lifecycle, member cities, candidacies, the protocol's bytes.

Nothing here imports the database, the web layer or the services; it is shared
by the server and by the offline verifier.
"""
