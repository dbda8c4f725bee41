"""A stand-in for the expecttest package, which torch.testing._internal imports.

Only what common_methods_invocations needs to import: TestCase and ACCEPT.
"""
import unittest

ACCEPT = False


class TestCase(unittest.TestCase):
    pass
