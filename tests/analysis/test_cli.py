"""The analysis commands on files: `heard coder`, `heard discover`, `heard safeguarding`."""

import pandas as pd
import pytest
from click.testing import CliRunner

from analysis.cli.coder import coder
from analysis.cli.discover import discover
from analysis.cli.safeguarding import safeguarding
from models.demo import DEMO_THEMES, demo_comments

THEMES = [key for key, _, _ in DEMO_THEMES]


def invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """The demo comments as a coded CSV: id, comment, sentiment, then a column per theme."""
    folder = tmp_path_factory.mktemp("coded")
    rows = [
        {"id": i, "comment": c["text"], "sentiment": c["sentiment"]}
        | {t: ("1" if t in c["themes"] else "") for t in THEMES}
        for i, c in enumerate(demo_comments())
    ]
    pd.DataFrame(rows).to_csv(folder / "coded.csv", index=False)
    pd.DataFrame(rows).to_excel(folder / "coded.xlsx", index=False)
    return folder


@pytest.fixture(scope="module")
def model(coded):
    path = coded / "model.joblib"
    result = train(coded / "coded.csv", path, "--text", "comment", "--labels-after", "sentiment")
    assert result.exit_code == 0, result.output
    assert f"{len(demo_comments())} comments and 14 themes" in result.output
    return path


def train(path, out, *args):
    return invoke(coder, "train", "--input", path, *args, "--out", out)


def predict(model, comments, out, *extra):
    return invoke(
        coder,
        "predict",
        "--model",
        model,
        "--input",
        comments,
        "--text",
        "text",
        "--out",
        out,
        *extra,
    )


def new_comments(folder):
    path = folder / "new.csv"
    pd.DataFrame(
        {"text": ["GP appointments are impossible to get", "", "Nothing to add", None]}
    ).to_csv(path, index=False)
    return path


def test_predict_writes_a_column_per_theme_in_order_with_zeros_for_blank_rows(model, tmp_path):
    out = tmp_path / "coded.csv"
    result = predict(model, new_comments(tmp_path), out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == THEMES and len(table) == 4
    assert set(table.to_numpy().ravel()) <= {0, 1}
    assert table.loc[0, "gp-access"] == 1
    assert table.loc[[1, 3]].to_numpy().sum() == 0


def test_predict_with_proba_writes_confidences(model, tmp_path):
    out = tmp_path / "proba.csv"
    result = predict(model, new_comments(tmp_path), out, "--proba")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert table.to_numpy().max() <= 1 and 0 < table.loc[0, "gp-access"] < 1
    assert table.loc[1].sum() == 0


def test_train_reads_xlsx_and_a_list_of_labels(coded, tmp_path):
    result = train(
        coded / "coded.xlsx",
        tmp_path / "two.joblib",
        "--text",
        "comment",
        "--labels",
        "gp-access,shorter-waits",
    )
    assert result.exit_code == 0, result.output
    assert "2 themes" in result.output


def test_min_count_leaves_out_rare_themes(tmp_path):
    path = tmp_path / "rare.csv"
    pd.DataFrame(
        {"text": [f"comment {i}" for i in range(12)], "common": [1, 0] * 6, "rare": [1] + [0] * 11}
    ).to_csv(path, index=False)
    result = train(
        path, tmp_path / "m.joblib", "--text", "text", "--labels", "common,rare", "--min-count", 3
    )
    assert result.exit_code == 0, result.output
    assert "Left out 1 themes" in result.output and "1 themes" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "missing", "--labels-after", "sentiment"], "no column called 'missing'"),
        (["--text", "comment", "--labels", "gp-access,nope"], "no column called 'nope'"),
        (["--text", "comment", "--labels-after", "nope"], "no column called 'nope'"),
        (["--text", "comment"], "Give either --labels"),
        (["--text", "comment", "--labels", "sentiment"], "must hold 1 (coded) or 0"),
    ],
)
def test_training_mistakes_get_a_clear_message(coded, tmp_path, args, message):
    result = train(coded / "coded.csv", tmp_path / "m.joblib", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "m.joblib").exists()


def test_a_theme_with_no_examples_is_named(tmp_path):
    path = tmp_path / "empty.csv"
    pd.DataFrame({"text": ["a", "b", "c", "d"], "good": [1, 1, 1, 0], "unused": [0] * 4}).to_csv(
        path, index=False
    )
    result = train(path, tmp_path / "m.joblib", "--text", "text", "--labels", "good,unused")
    assert result.exit_code == 1 and "Theme 'unused' has 0 coded comments" in result.output


def test_predict_refuses_a_missing_or_foreign_model(tmp_path):
    comments = new_comments(tmp_path)
    missing = predict(tmp_path / "nope.joblib", comments, tmp_path / "o.csv")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    foreign = tmp_path / "foreign.joblib"
    foreign.write_bytes(b"not a model")
    result = predict(foreign, comments, tmp_path / "o.csv")
    assert result.exit_code == 1 and "Could not load foreign.joblib" in result.output


def test_discover_writes_a_theme_per_row_in_order(coded, tmp_path):
    out = tmp_path / "themes.csv"
    result = invoke(
        discover,
        "--input",
        coded / "coded.csv",
        "--text",
        "comment",
        "--out",
        out,
        "--themes",
        10,
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"theme_name": str}, keep_default_na=False)
    assert list(table.columns) == ["theme", "theme_name"]
    assert len(table) == len(demo_comments())
    themes = {int(t) for t in table["theme"] if t != ""}
    assert themes == set(range(10))
    other = table["theme"] == ""
    assert other.any() and (table.loc[other, "theme_name"] == "").all()
    assert (table.loc[~other, "theme_name"] != "").all()
    assert "Found 10 themes" in result.output


def test_discover_with_too_little_text_says_so(tmp_path):
    path = tmp_path / "tiny.csv"
    pd.DataFrame({"text": ["one comment"]}).to_csv(path, index=False)
    result = invoke(discover, "--input", path, "--text", "text", "--out", tmp_path / "o.csv")
    assert result.exit_code == 1 and "at least two comments" in result.output


def test_safeguarding_screen_keeps_every_row_in_order(tmp_path):
    path = tmp_path / "comments.csv"
    pd.DataFrame({"text": ["I like school", "", "my dad hurts me", None]}).to_csv(path, index=False)
    out = tmp_path / "screened.csv"
    result = invoke(safeguarding, "screen", "--input", path, "--text", "text", "--out", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["flag", "severity", "reason"]
    assert table["flag"].tolist() == [0, 0, 1, 0]
    assert table.loc[2, "severity"] == "high" and table.loc[2, "reason"]
    assert "1 flagged" in result.output


def test_a_file_of_the_wrong_kind_is_refused(tmp_path):
    path = tmp_path / "comments.txt"
    path.write_text("hello")
    result = invoke(discover, "--input", path, "--text", "text", "--out", tmp_path / "o.csv")
    assert result.exit_code == 2 and "must be a .csv or .xlsx file" in result.output


def test_predict_on_a_file_with_no_rows_writes_just_the_header(model, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("text\n")
    out = tmp_path / "o.csv"
    result = predict(model, path, out)
    assert result.exit_code == 0, result.output
    assert out.read_text().strip() == ",".join(THEMES)
