"""{% unread_notices as count %}: a clinic user's unread notices, for the menu (one query)."""

from django import template

from announcements.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    user = context.get("user")
    return unread_count(user=user) if user is not None else 0
