"""Related-object fields that accept only objects of the initiative in the URL, whoever calls
(a token of another initiative never gets this far: it is 404 in InitiativeScopedMixin)."""

from rest_framework import serializers


class InitiativeRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up in `scope(initiative)`; any other id is "does not exist" (400).

    `InitiativeRelatedField(model=Organization, scope=selectors.organizations_of)`: the
    initiative is the view's (`self.context["view"].initiative`)."""

    def __init__(self, *, model, scope, **kwargs):
        self.scope, self.related_model = scope, model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        initiative = getattr(self.context.get("view"), "initiative", None)
        if initiative is None:
            return self.related_model.objects.none()
        return self.scope(initiative)
