# A package, so that its conftest.py is not imported as `conftest`, the name of
# tests/conftest.py.
