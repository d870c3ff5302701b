"""Secret tokens for links, kept only as their hash, and the resume codes inside them.

A response's resume token is made of symbols nobody misreads; its first characters are
the resume code an adult can write down and type in again.
"""

import hashlib
import secrets

RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 12
TOKEN_LENGTH = 28  # 28 characters from 32 symbols: 140 bits


def digest(secret: str) -> str:
    """The hash a secret token is stored as, in place of the token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_resume_token() -> str:
    """A random resume token; its first `CODE_LENGTH` characters are its resume code."""
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_code(code: str) -> str:
    """Accept a resume code typed with spaces, dashes or lower case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def resume_code(token: str) -> str:
    """The short code inside a token, grouped for reading aloud: ABCD-EFGH-JKLM."""
    code = token[:CODE_LENGTH]
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))
