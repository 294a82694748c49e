# The two commands a new user needs:
#   make demo   train on real wearable data, convert, run on Lava and the reference
#               simulator, and write an energy report to runs/demo/
#   make test   run the whole test suite (both environments)
# Both create the environments first when they are missing.

.PHONY: env demo test test-main test-lava clean

env:
	bash scripts/setup_envs.sh all

demo: env
	.venv/bin/share-neuro demo --dataset hapt --out runs/demo

test: env
	bash scripts/run_tests.sh

clean:
	rm -rf .venv .venv-lava runs .pytest_cache
