# The README's two commands: `make run` and `make test`. Both install what is missing first.
PRESET ?= release
export PRESET

.PHONY: run test build package clean
run:
	@bash packaging/dev.sh run
test:
	@bash packaging/dev.sh test
build:
	@bash packaging/dev.sh build
package:
	@bash packaging/dev.sh package
clean:
	rm -rf build/$(PRESET)
