"""Small pieces of staff-page English shared by several pages."""


def counted(number: int, word: str) -> str:
    """A count with its word, plural unless it is one: "1 comment", "1,250 comments"."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"
