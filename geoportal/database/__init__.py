"""Where queries go: writes and everything inside a transaction to the primary, other reads to a
streaming replica when one is configured and healthy (router.py); the replica's reachability and
lag, checked at most every few seconds per process (replica.py); read-your-writes across requests
and a retry on the primary when the replica fails mid-request (middleware.py)."""
