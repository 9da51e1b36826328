"""The planners' admin in a browser: logging in, in a language."""

from django.urls import reverse

PASSWORD = "planner-pass-123"


def log_in(page, live_server, user, language):
    """Log in through the admin's form, in `language` (the admin follows the language cookie)."""
    page.context.add_cookies([{"name": "django_language", "value": language,
                               "url": live_server.url}])  # fmt: skip
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")
