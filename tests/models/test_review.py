"""Theme history: merging keeps the tree whole and moves every coding once."""

from sqlmodel import select

from models.coding import (
    CodingSource,
    CommentTheme,
    Theme,
    ThemeStatus,
    create_codebook,
    in_tree_order,
    list_themes,
    save_comment,
)
from models.review import merge_theme


def test_merging_into_a_theme_under_it_keeps_the_tree_and_moves_codings_once(session, demo):
    org = demo.organisation.id
    codebook = create_codebook(
        session=session,
        organisation_id=org,
        name="Tree",
        themes=[
            {"key": "school", "name": "School"},
            {"key": "transport", "name": "Transport", "parent": "school"},
            {"key": "taxis", "name": "Taxis", "parent": "transport"},
            {"key": "lunch", "name": "Lunch", "parent": "school"},
        ],
    )
    themes = {t.key: t for t in list_themes(session=session, codebook_id=codebook.id)}
    both = save_comment(
        session=session,
        organisation_id=org,
        response_id=None,
        question_id="q",
        text_redacted="both",
        sentiment="",
        flagged=False,
    )
    only_school = save_comment(
        session=session,
        organisation_id=org,
        response_id=None,
        question_id="q",
        text_redacted="school",
        sentiment="",
        flagged=False,
    )
    for comment, key in ((both, "school"), (both, "transport"), (only_school, "school")):
        session.add(
            CommentTheme(comment_id=comment.id, theme_id=themes[key].id, source=CodingSource.HUMAN)
        )
    session.flush()

    change = merge_theme(
        session=session,
        codebook=codebook,
        source=themes["school"],
        target=themes["transport"],
        user_id=None,
    )
    session.flush()
    assert change.details == {"into": themes["transport"].id, "codings_moved": 1}
    assert session.get(Theme, themes["school"].id).status == ThemeStatus.MERGED
    tree = [
        (t.key, depth)
        for t, depth in in_tree_order(list_themes(session=session, codebook_id=codebook.id))
    ]
    assert sorted(tree) == sorted([("transport", 0), ("taxis", 1), ("lunch", 1)])
    codings = session.exec(select(CommentTheme.comment_id, CommentTheme.theme_id)).all()
    assert sorted(codings) == sorted(
        [(both.id, themes["transport"].id), (only_school.id, themes["transport"].id)]
    )
    assert codebook.version == 2
