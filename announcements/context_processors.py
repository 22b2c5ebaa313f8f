"""What every page's menu shows from the notices (templates/partials/nav.html)."""

from functools import partial

from .selectors import unread_count


def unread_notices(request) -> dict:
    """The clinic user's count of unread notices. A callable: the template calls it when it
    shows the menu, so a page without the menu (an htmx fragment) does not count."""
    return {"unread_notices": partial(unread_count, user=request.user)}
