# Training Neural Networks: the two commands are `make lab` and `make test`.
# Both set up .venv on their own (again whenever requirements.txt or pyproject.toml change), with uv
# when it can be had, else venv + pip (course_lib/lab/__main__.py decides and says which).

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
LAB_ARGS ?=
SUBMISSIONS ?= submissions
OUT      ?= grading-out
SUBMISSION ?= submission.zip
JOBS     ?=
# On a JupyterHub or Binder image (repo2docker) course_lib is installed in the image's Python and
# there is no .venv: then `make progress` and `make submit` use that installation (the
# course-progress on the PATH and the python beside it) instead of building a .venv.
INSTALLED := $(if $(wildcard $(BIN)/python),,$(shell command -v course-progress 2>/dev/null))
RUN_BIN  := $(if $(INSTALLED),$(patsubst %/,%,$(dir $(INSTALLED))),$(BIN))
RUN_PY   := $(if $(INSTALLED),$(firstword $(wildcard $(RUN_BIN)/python) python3),$(BIN)/python)
RUN_NEEDS := $(if $(INSTALLED),,$(STAMP))
# pytest-xdist workers for unit tests + nbval (the machine has 2 cores)
WORKERS  ?= 2

.PHONY: help venv lab test unit nbval browser release grade bench lint clean progress submit

help:
	@echo "make lab      set up .venv and open JupyterLab on the course (LAB_ARGS=... passes options)"
	@echo "make test     set up .venv and run every test: unit, nbval, browser"
	@echo "make release  generate notebooks/ from solutions/"
	@echo "make grade SUBMISSIONS=dir OUT=dir   grade a folder of submissions"
	@echo "make bench    measure a newcomer's set-up to first plot, notebook, explorer, grading, training speed"
	@echo "make progress grade your own notebooks/ (exercises passed, points)"
	@echo "make submit   pack notebooks/*.ipynb into submission.zip (refuses unreadable notebooks)"

venv: $(STAMP)

# The set-up and the lab start are course_lib/lab/__main__.py (`python -m course_lib.lab`, the
# command for Windows or without make): one mechanism, standard library only.
$(STAMP): requirements.txt pyproject.toml course_lib/lab/overrides.json course_lib/lab/page_config.json
	$(PYTHON) -m course_lib.lab --setup-only --venv $(VENV)

lab: $(STAMP)
	$(BIN)/python -m course_lib.lab -- $(LAB_ARGS)

# Two pytest workers on two cores: one BLAS thread each, or they slow each other down 4-10x.
test nbval unit browser: export OPENBLAS_NUM_THREADS = 1
test nbval unit browser: export OMP_NUM_THREADS = 1

test: $(STAMP)
	$(BIN)/ruff check course_lib tests
	$(BIN)/python -m pytest -m "not browser" -n $(WORKERS) --dist loadfile \
	    --nbval-lax --nbval-current-env tests solutions notebooks
	$(BIN)/python -m pytest -m browser tests

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" tests

nbval: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --nbval-lax --nbval-current-env solutions notebooks

browser: $(STAMP)
	$(BIN)/python -m pytest -m browser tests

release: $(STAMP)
	$(BIN)/python -m course_lib.release

grade: $(STAMP)
	@command -v bwrap >/dev/null || { \
	    echo "************************************************************************"; \
	    echo "* WARNING: bwrap (bubblewrap) is not installed: submissions will run    *"; \
	    echo "* WITHOUT the sandbox (see README, Limits of the sandbox). Install it:  *"; \
	    echo "*     sudo apt-get install bubblewrap                                   *"; \
	    echo "************************************************************************"; } >&2
	$(BIN)/course-grade "$(SUBMISSIONS)" --out "$(OUT)" $(if $(JOBS),--jobs $(JOBS),)

progress: $(RUN_NEEDS)
	$(RUN_BIN)/course-progress

submit: $(RUN_NEEDS)
	$(RUN_PY) -m course_lib.grading.submit --out "$(SUBMISSION)"

# A newcomer's path first (fresh clone -> set-up -> lab -> first plot), then the course's speed
bench: $(STAMP)
	$(BIN)/python -m tests.bench_newcomer
	$(BIN)/python -m tests.benchmark

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests

clean:
	rm -rf $(VENV) .pytest_cache screenshots grading-out .bench
