# Thin wrappers: the scripts under scripts/ are the real commands.
.PHONY: demo test lint bench serve clean

demo:
	scripts/demo

test:
	scripts/test

lint:
	scripts/lint

bench:
	scripts/bench

serve:
	@test -n "$(DIR)" || (echo "usage: make serve DIR=path/to/node" >&2; exit 2)
	scripts/bootstrap && .venv/bin/hanoi serve --dir "$(DIR)"

clean:
	rm -rf .venv .cache .hanoi-demo test-output .mypy_cache .ruff_cache .pytest_cache
