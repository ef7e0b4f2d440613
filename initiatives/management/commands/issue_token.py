"""Issue an API token from a shell, e.g. for a first integration before anyone signs in:

    manage.py issue_token cradle-to-career --label "City data portal" --days 90
    manage.py issue_token cradle-to-career --label "EYN database" --organization 3 --submit

Prints the token (shown once; only its hash is stored) and nothing else on stdout.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from initiatives import services
from initiatives.choices import TokenScope
from initiatives.models import Initiative, Organization


class Command(BaseCommand):
    help = "Issue an API token for an initiative and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The initiative's short name.")
        parser.add_argument("--label", required=True, help="Which system will use the token.")
        parser.add_argument(
            "--organization", type=int, help="Organisation id; with --submit, the token submits its data."
        )
        parser.add_argument(
            "--submit",
            action="store_true",
            help="Read and submit data for --organization (default: read only).",
        )
        parser.add_argument("--days", type=int, default=90, help="Days until it expires (default 90).")

    def handle(self, *args, slug, label, organization, submit, days, **options):
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            raise CommandError(f"No initiative “{slug}”.")
        if submit and organization is None:
            raise CommandError("--submit needs --organization ID (whose data the token submits).")
        if organization is not None and not submit:
            raise CommandError("--organization is only for a token that submits data: add --submit.")
        org = None
        if organization is not None:
            org = Organization.objects.filter(pk=organization).first()
            if org is None:
                raise CommandError(f"No organization with id {organization}.")
        try:
            token, secret = services.api_token_create(
                initiative=initiative,
                by=None,
                label=label,
                scope=TokenScope.SUBMIT if submit else TokenScope.READ,
                organization=org,
                days=days,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token “{token.label}” ({token.get_scope_display()}) for {initiative.slug}, "
            f"expires {token.expires_at:%Y-%m-%d}. Copy it now: it is not shown again."
        )
        self.stdout.write(secret)
