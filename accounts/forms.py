from django.contrib.auth import forms as auth_forms

from accounts.throttling import password_reset_allowed


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending the link only while the address and the client are within their
    limits (accounts.throttling). The view answers with the same page either way, as it does
    for an address that is not registered."""

    def save(self, *, request, **kwargs):
        if password_reset_allowed(email=self.cleaned_data["email"], request=request):
            super().save(request=request, **kwargs)
