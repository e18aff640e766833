# A package, so that its conftest.py is not imported as `conftest`: that name is
# tests/conftest.py's, which tests import helpers from.
