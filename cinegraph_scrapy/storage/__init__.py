"""Storage: a page in, its rows out. Pure row mapping (rows.py), page fingerprints (fingerprints.py) and the
unit of work that writes one page in one transaction (pages.py), over the database writes of db/writes.py."""
