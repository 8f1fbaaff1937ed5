# 职工服务助手 — every command a newcomer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1

PY := .venv/bin/python
RASA := .venv/bin/rasa
# Generated training inputs (from knowledge/) live in build/ and are passed beside data/.
DATA := data build/data

.PHONY: help install install-dev train run run-scaled test lint eval bench load lock system-deps

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## make .venv (Python 3.10) with the run-time packages of requirements.lock, and node_modules
	@scripts/install.sh

install-dev: ## install, plus the test and lint tools of requirements-dev.lock
	@scripts/install.sh --dev

system-deps: ## Debian packages the tests need (Chromium, PostgreSQL)
	@scripts/system_deps.sh

train: install ## train the model if config, domain, data, knowledge (not replies) or NLU code changed
	@scripts/train.sh

run: train ## start action server, Rasa and the web page on localhost (Ctrl-C stops all)
	@$(PY) -m bot run

run-scaled: system-deps train ## the same scaled out: PostgreSQL, Redis, ZGFW_REPLICAS Rasa replicas, nginx in front
	@$(PY) -m bot run --scaled

test: system-deps install-dev train ## unit, data, story, NLU and browser tests
	@scripts/test.sh

lint: install-dev ## ruff (style and docstrings)
	@.venv/bin/ruff check bot actions tests migrations

eval: train ## topic accuracy, referrals, crisis recall and false alarms on every labelled set, through `bot ask`
	@$(PY) -m bot eval

bench: train ## p50/p95 latency of a turn and of /model/parse, against a minimal Rasa bot
	@$(PY) -m bot bench

load: system-deps train ## turns/s and p50/p95 at 1, 8 and 32 clients: the floor bot, this bot, this bot scaled with 1 and 2 replicas
	@$(PY) -m bot load

lock: ## re-pin both lock files, with hashes, from requirements.in and requirements-dev.in (needs the registry)
	@scripts/lock.sh
