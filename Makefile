# Auto Applyer: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist workers; each has its own databases on every engine.
TEST_WORKERS ?= 2

.PHONY: setup run test lint format bench clean pg-start pg-stop

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	@scripts/install-fonts.sh

run: setup
	$(PY) -m cli.init_db --environment development
	ENVIRONMENT=development $(VENV)/bin/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

test: setup lint
	scripts/install-browser.sh
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=25
	# The PostgreSQL tests again, through PgBouncer in transaction-pooling mode. Not those
	# that gain nothing from it: migrations (run on the owner's direct URL in production),
	# the schema fuzzing and the docs' examples (the same SQL as the API tests), the
	# dashboard pages (the same calls as the layers below), the authorization matrix (the
	# service layer's rules; the bindings behind the pooler are the security, pooler and
	# API tests' own). The variable alone runs them all.
	AUTO_APPLYER_TEST_POSTGRES_VIA=pgbouncer $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=10 \
		--ignore=tests/integration/migrations --ignore=tests/api/test_schemathesis.py \
		--ignore=tests/docs --ignore=tests/dashboard --ignore=tests/api/test_authorization_matrix.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy database utils dashboard cli api tests benchmarks

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	scripts/install-wrk.sh
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.backup
	$(PY) -m benchmarks.dashboard_pages
	$(PY) -m benchmarks.api
	$(PY) -m benchmarks.realtime
	$(PY) -m benchmarks.lifecycle
	$(PY) -m benchmarks.postings
	$(PY) -m benchmarks.scale

pg-start:
	scripts/pg-test-server.sh start

pg-stop:
	scripts/pg-test-server.sh stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
