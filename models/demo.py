"""Demo data: a Kent-like local area with its districts, settings and one user per role.

Loading is idempotent: anything already there is left alone, so it is safe to
run again.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from models.coding import CodebookStatus, create_codebook, list_codebooks
from models.organisations import (
    Organisation,
    OrganisationCreate,
    Phase,
    SettingCreate,
    SettingType,
    create_district,
    create_organisation,
    create_setting,
    get_organisation_by_slug,
    list_districts,
    list_settings,
)
from models.users import Role, UserCreate, create_user, get_user_by_email, set_password

DEMO_SLUG = "kent-demo"
KENT_DISTRICTS = (
    "Ashford",
    "Canterbury",
    "Dartford",
    "Dover",
    "Folkestone and Hythe",
    "Gravesham",
    "Maidstone",
    "Sevenoaks",
    "Swale",
    "Thanet",
    "Tonbridge and Malling",
    "Tunbridge Wells",
)
# Invented names: no real school is implied.
DEMO_SETTINGS = (
    ("Little Acorns Nursery", SettingType.EARLY_YEARS, Phase.EARLY_YEARS, "Ashford"),
    ("Riverside Primary School", SettingType.MAINSTREAM, Phase.PRIMARY, "Canterbury"),
    ("Harbour View Academy", SettingType.MAINSTREAM, Phase.SECONDARY, "Dover"),
    ("Oakfield Special School", SettingType.SPECIAL, Phase.ALL_THROUGH, "Maidstone"),
    ("Northgate Learning Centre", SettingType.PRU, Phase.SECONDARY, "Thanet"),
    ("Weald College", SettingType.POST_16, Phase.POST_16, "Tunbridge Wells"),
)
DEMO_USERS = (
    ("admin@demo.heard", "Alex Admin", Role.ADMIN),
    ("officer@demo.heard", "Olu Officer", Role.OFFICER),
    ("participation@demo.heard", "Priya Participation", Role.PARTICIPATION),
    ("safeguarding@demo.heard", "Sam Safeguarding", Role.SAFEGUARDING),
    ("reviewer@demo.heard", "Rae Reviewer", Role.REVIEWER),
)

# The 14 themes Kent's Have Your Say survey on children and young people's future mental
# health model found in 981 written responses, with the survey report's own descriptions.
DEMO_CODEBOOK = "Have Your Say: future mental health model"
DEMO_THEMES = (
    (
        "consistent-information",
        "Consistency and clear information",
        "Consistent information about mental health services and clear pathways for accessing "
        "support. Support available without the need for a referral.",
    ),
    (
        "gp-access",
        "GP accessibility and dedicated lines",
        "Better access to GPs for mental health concerns, including dedicated phone lines.",
    ),
    (
        "parity-physical-health",
        "Parity with physical health services",
        "Mental health support on a par with physical health services; no immediate help for "
        "mental health compared with physical injuries.",
    ),
    (
        "resilience-in-schools",
        "Emotional resilience in schools",
        "More emotional resilience programmes in schools, for pupils and for parents. Emotional "
        "support alongside academic education.",
    ),
    (
        "nhs-funding-waiting",
        "NHS funding and waiting lists",
        "Underfunding of the NHS leading to long waiting lists; more funding to cut waiting "
        "times and give timely access.",
    ),
    (
        "preventative-support",
        "Preventative support and early intervention",
        "Support before crisis point, so young people get help before their mental health "
        "becomes severe. A conversation-first rather than a referral-first approach.",
    ),
    (
        "person-centred",
        "Person-centred and responsive support",
        "Non-judgemental, responsive support tailored to each person. Innovation and "
        "open-mindedness in how services are delivered.",
    ),
    (
        "more-services",
        "Increased mental health services",
        "More mental health services provided by experts, quicker diagnosis, and more "
        "face-to-face counselling to meet demand.",
    ),
    (
        "communication-community",
        "Communication and community engagement",
        "Better communication within the system: tackling myths, responding to negative "
        "feedback, changing mindsets. Better staffed and resourced community services.",
    ),
    (
        "school-involvement",
        "School involvement and support",
        "Direct support from mental health services in schools, networking groups and "
        "interventions. More clinicians in schools and better access to well-being support.",
    ),
    (
        "shorter-waits",
        "Shorter waiting lists and immediate access",
        "Shorter waiting lists and immediate access to services. A more proactive approach, "
        "including self-referral and referral by schools.",
    ),
    (
        "funding-resources",
        "Increased funding and resources",
        "More funding and resources in health and social care, including specialised GP "
        "services. Smart use of funds across short-term and therapeutic help.",
    ),
    (
        "collaboration",
        "Collaboration and coordination",
        "Services, schools and GPs working together with better coordination, and simpler "
        "processes with less back-and-forth between services.",
    ),
    (
        "holistic-early",
        "Holistic approach and early intervention",
        "A holistic approach with professionals, schools and families working together. Early "
        "intervention and support for children with mental health needs.",
    ),
)
DEMO_COMMENTS = Path(__file__).with_name("demo_comments.yaml")
#: libyaml's loader when PyYAML was built with it (about seven times quicker on the demo
#: files); the pure-Python one otherwise. Both read the same data.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """Read one of Heard's own YAML data files (the demo's), safely."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def demo_comments() -> list[dict[str, Any]]:
    """Invented, human-coded comments for the demo codebook (text, themes, sentiment)."""
    with DEMO_COMMENTS.open(encoding="utf-8") as handle:
        return list(read_yaml(handle.read())["comments"])


@dataclass
class DemoResult:
    """What a demo load did."""

    organisation: Organisation
    created: list[str] = field(default_factory=list)
    passwords_reset: list[str] = field(default_factory=list)

    @property
    def logins(self) -> list[tuple[str, str]]:
        """Each demo email address with its role's label."""
        return [(email, role.label) for email, _, role in DEMO_USERS]


def load_demo(*, session: Session, password: str, reset_passwords: bool) -> DemoResult:
    """Add whatever demo data is missing.

    New demo users get `password`. Existing ones keep theirs unless
    `reset_passwords` is true.
    """
    organisation = get_organisation_by_slug(session=session, slug=DEMO_SLUG)
    if organisation is None:
        organisation = create_organisation(
            session=session,
            data=OrganisationCreate(
                slug=DEMO_SLUG, name="Kent County Council (demo)", brand_colour="#1d4f76"
            ),
        )
    result = DemoResult(organisation=organisation)

    districts = {d.name: d for d in list_districts(session=session, organisation=organisation)}
    for name in KENT_DISTRICTS:
        if name not in districts:
            districts[name] = create_district(session=session, organisation=organisation, name=name)

    existing = {s.name for s in list_settings(session=session, organisation=organisation)}
    for name, setting_type, phase, district in DEMO_SETTINGS:
        if name not in existing:
            data = SettingCreate(
                name=name,
                setting_type=setting_type,
                phase=phase,
                district_id=districts[district].id,
            )
            create_setting(session=session, organisation=organisation, data=data)

    for email, full_name, role in DEMO_USERS:
        user = get_user_by_email(session=session, email=email)
        if user is None:
            account = UserCreate(email=email, full_name=full_name, role=role, password=password)
            create_user(session=session, organisation_id=organisation.id, data=account)  # type: ignore[arg-type]
            result.created.append(email)
        elif reset_passwords:
            set_password(session=session, user=user, password=password)
            result.passwords_reset.append(email)

    if not list_codebooks(session=session, organisation_id=organisation.id):  # type: ignore[arg-type]
        create_codebook(
            session=session,
            organisation_id=organisation.id,  # type: ignore[arg-type]
            name=DEMO_CODEBOOK,
            themes=[{"key": k, "name": n, "description": d} for k, n, d in DEMO_THEMES],
            status=CodebookStatus.ACTIVE,
            source="Kent Have Your Say survey, 2024",
        )
        result.created.append(DEMO_CODEBOOK)
    return result
