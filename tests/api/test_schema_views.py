"""The views drf-spectacular builds without a request (`swagger_fake_view`) answer an empty list of
their own model, decided once in ci_platform.api.views.SchemaSafeMixin instead of a guard in every
get_queryset."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers, viewsets
from rest_framework.generics import GenericAPIView

from ci_platform.api.views import SchemaSafeMixin, schema_model_of
from initiatives.models import Initiative, Membership


def _fake_views():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    views = {}
    for _path, _regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        views.setdefault(type(view), view)
    return list(views.values())


def test_every_listing_view_answers_its_own_model_to_the_schema_generator():
    checked = []
    for view in _fake_views():
        model = schema_model_of(view)
        if not isinstance(view, GenericAPIView) or type(view).get_queryset is GenericAPIView.get_queryset:
            continue  # no queryset: the view answers with a serializer of its own (bulk, draft)
        queryset = view.get_queryset()  # a view with no model to name answers for itself
        assert queryset.query.is_empty(), type(view).__name__
        if model is None:
            continue
        try:
            serializer_class = view.get_serializer_class()
        except AssertionError:
            serializer_class = None  # it renders its rows itself (the CSV feeds): its model is named
        if serializer_class is not None and issubclass(serializer_class, serializers.ModelSerializer):
            assert model is serializer_class.Meta.model, type(view).__name__
        assert queryset.model is model, f"{type(view).__name__} lists {queryset.model.__name__}"
        checked.append(type(view).__name__)
    # The four that used to answer Initiative are among them, with their own models now.
    assert {"MembershipViewSet", "OrganizationViewSet", "MilestoneViewSet", "PhaseTransitionViewSet"} <= set(
        checked
    )
    assert len(checked) > 40


class _Listing(SchemaSafeMixin, viewsets.ReadOnlyModelViewSet):
    class Serializer(serializers.ModelSerializer):
        class Meta:
            model = Membership
            fields = ["id"]

    serializer_class = Serializer

    def get_queryset(self):
        raise AssertionError("only for a real request")


class _NamedModel(_Listing):
    serializer_class = serializers.Serializer
    schema_model = Initiative

    def get_queryset(self):
        return super().get_queryset()


def test_a_view_writes_get_queryset_for_real_requests_only():
    view = _Listing()
    view.swagger_fake_view = True
    assert view.for_schema
    assert view.get_queryset().model is Membership
    named = _NamedModel()
    named.swagger_fake_view = True
    assert named.get_queryset().model is Initiative  # schema_model, for a serializer without a model


def test_a_real_request_runs_the_views_own_get_queryset():
    view = _Listing()
    assert not view.for_schema
    with pytest.raises(AssertionError, match="only for a real request"):
        view.get_queryset()
