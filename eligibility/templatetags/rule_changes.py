"""{% result_changes_notice association %}: for an association's staff, how many member clinics
have a stored result that is different under the published rule version (after re-screening)."""

from django import template

from eligibility.selectors import screening_changes_count_for_association

register = template.Library()


@register.inclusion_tag("eligibility/rules_admin/changes_notice.html")
def result_changes_notice(association) -> dict:
    version, count = screening_changes_count_for_association(association=association)
    return {"version": version, "count": count}
