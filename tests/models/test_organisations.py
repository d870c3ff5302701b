"""Organisations, their brand colour, districts and settings."""

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from models import OrganisationCreate, create_district, create_organisation
from models.organisations import contrast_with_white


def test_brand_colour_must_be_readable_under_white_text():
    assert (
        OrganisationCreate(slug="kent", name="Kent", brand_colour="#1D4F76").brand_colour
        == "#1d4f76"
    )
    with pytest.raises(ValidationError, match="too light"):
        OrganisationCreate(slug="kent", name="Kent", brand_colour="#ffdd00")
    with pytest.raises(ValidationError, match="look like"):
        OrganisationCreate(slug="kent", name="Kent", brand_colour="blue")


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_slug_must_be_url_safe():
    with pytest.raises(ValidationError):
        OrganisationCreate(slug="Kent County", name="Kent")


def test_district_names_are_unique_within_an_organisation(session):
    kent = create_organisation(session=session, data=OrganisationCreate(slug="kent", name="Kent"))
    hull = create_organisation(session=session, data=OrganisationCreate(slug="hull", name="Hull"))
    create_district(session=session, organisation=kent, name="Thanet")
    create_district(session=session, organisation=hull, name="Thanet")
    session.commit()
    with pytest.raises(IntegrityError):
        create_district(session=session, organisation=kent, name="Thanet")
