"""Who may open a view. Each decorator requires a login first (anonymous -> login page), then
the role; a logged-in person without the role gets 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _role_required(test):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


clinic_user_required = _role_required(lambda user: user.is_clinic_user)
staff_required = _role_required(lambda user: user.is_association_staff)
rule_admin_required = _role_required(lambda user: user.is_rule_admin)
national_required = _role_required(lambda user: user.is_national_user)
