"""Django's ModelBackend, reading the logged-in user of every request with a read compiled to
SQL once (config/prepared.py) instead of a queryset compiled each time."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from config.prepared import PreparedRead

_user_by_id = PreparedRead(lambda pk: get_user_model()._default_manager.filter(pk=pk))


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = _user_by_id.get(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
