"""The policy engine: pure Python, no Django.

It reads a declarative programme file (one per programme year), validates
applications in the ``zgc-application/1`` format and evaluates them clause by
clause, explaining every outcome by clause ID.
"""

from zgcfund import __version__ as ENGINE_VERSION

__all__ = ["ENGINE_VERSION"]
