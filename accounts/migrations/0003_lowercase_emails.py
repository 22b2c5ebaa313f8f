"""Every stored e-mail address in lower case, as the user model now saves them.

Stops, naming them, if two accounts differ only in case: they would become one address, so a
person must first merge them or change one address, then run the migration again."""

from django.db import migrations


def colliding_emails(emails) -> list[list[str]]:
    """Groups of addresses that would become one in lower case, each group sorted."""
    groups: dict[str, list[str]] = {}
    for email in emails:
        groups.setdefault(email.lower(), []).append(email)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def lowercase_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.values_list("pk", "email"))
    collisions = colliding_emails(email for _, email in users)
    if collisions:
        raise RuntimeError(
            "These accounts differ only in the case of their e-mail address; merge them or "
            "change one address of each group, then migrate again: "
            + "; ".join(", ".join(group) for group in collisions)
        )
    for pk, email in users:
        if email != email.lower():
            User.objects.filter(pk=pk).update(email=email.lower())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop),
    ]
