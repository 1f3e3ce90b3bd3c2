# Auto Applyer: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist workers; each has its own databases on every engine.
TEST_WORKERS ?= 2
# The tests run a second time through PgBouncer (see `test`).
POOLED_TESTS := tests/integration/core tests/integration/security tests/integration/accounts \
	tests/integration/realtime tests/integration/maintenance tests/integration/test_events.py \
	tests/integration/test_events_ordering.py tests/integration/test_events_tenancy.py \
	tests/reliability/test_unique_email_race.py \
	$(addprefix tests/api/test_,request_transaction.py auth.py credentials.py organizations.py \
		applications.py concurrency.py idempotency.py rate_limit.py exports.py websocket.py \
		websocket_authorization.py workers.py read_replica.py)

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
	# Then the tests of what a transaction-pooling proxy can break, through PgBouncer:
	# session state (the connection, prepared statements, the acting person and their
	# roles bound for row-level security, advisory locks, LISTEN) and the API's requests
	# that rely on it. The rest holds no state between transactions, and runs once.
	AUTO_APPLYER_TEST_POSTGRES_VIA=pgbouncer $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=10 \
		$(POOLED_TESTS)

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
