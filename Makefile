# `make demo` and `make test` create the environment first when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
# Rebuilt when any of these changes; otherwise a second run does nothing.
ENV_STAMP := $(VENV)/.mmseg_heritage_installed
ENV_INPUTS := tools/install_env.sh setup.py $(wildcard requirements/*.txt)
PYTEST_ARGS ?=
# The suite runs in parallel processes (pytest-xdist), one test file per process at a time so
# that a file's shared fixtures are built once.
TEST_WORKERS ?= auto

.PHONY: install demo starter test test-properties clean-env

install: $(ENV_STAMP)

$(ENV_STAMP): $(ENV_INPUTS)
	VENV=$(VENV) PYTHON=$(PYTHON) bash tools/install_env.sh
	touch $@

demo: $(ENV_STAMP)
	$(VENV)/bin/python tools/demo.py

# Trains the starter model into checkpoints/starter/ (about 90 minutes on 2 CPU cores).
starter: $(ENV_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements/starter.txt
	bash tools/install_starter_content.sh
	$(VENV)/bin/python tools/train_starter.py

test: $(ENV_STAMP)
	$(VENV)/bin/python -m pytest tests -n $(TEST_WORKERS) --dist loadfile --durations=15 \
		$(PYTEST_ARGS)

# The property tests with 1000 fresh random examples each (make test draws a fixed 30).
test-properties: $(ENV_STAMP)
	HYPOTHESIS_PROFILE=explore $(VENV)/bin/python -m pytest tests -k properties $(PYTEST_ARGS)

clean-env:
	rm -rf $(VENV)
