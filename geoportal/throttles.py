"""DRF's per-user rate limit, with higher limits for named accounts (API_RATE_USERS), such as
the load benchmark's: `make cluster` gives the account "bench" its own limit so that
bench/cluster.py measures the servers, not the limit. Anonymous clients keep theirs."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class NamedUserRateThrottle(UserRateThrottle):
    def allow_request(self, request, view):
        user = request.user
        rate = settings.API_RATE_USERS.get(user.get_username()) if user.is_authenticated else None
        if rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request, view)
