"""Compiled templates, shared by every app one process makes.

A web worker makes one app, but the test suite and the command line make many, one per test
or command, and each new app would otherwise compile Heard's, GOV.UK Frontend's and the
form widgets' templates again: that was the largest cost of a typical test. Jinja checks a
template's source against the checksum stored with its code before using the code, so an
edited template is compiled afresh, and code compiled under other environment settings
(block delimiters, whitespace control, extensions, async) is kept apart from the rest.
"""

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    """An in-memory Jinja bytecode cache, keyed by the environment's settings too."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = f"{_settings(environment)}:{self.get_cache_key(name, filename)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()

    def __len__(self) -> int:
        return len(self._code)


def _settings(environment: Environment) -> str:
    """Every environment setting that changes the code a template compiles to, as text."""
    autoescape = environment.autoescape
    return repr(
        (
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            getattr(autoescape, "__qualname__", autoescape),
            getattr(environment.finalize, "__qualname__", environment.finalize),
            tuple(sorted(environment.extensions)),
        )
    )


#: The one cache of this process.
TEMPLATES = SharedBytecodeCache()
