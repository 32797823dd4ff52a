# burrow: rootless containers. `make demo` and `make test` are the two
# commands of the README; both work as root on a fresh Debian 12 machine
# (they set up an unprivileged test user) or as a user with subuid ranges.
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
GOTAGS ?= containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper
export GOTAGS
export CGO_ENABLED := 1

PREFIX ?= $(HOME)/.local

# make lint's checkers, pinned, built from the Go module proxy into
# .cache/tools on first use: staticcheck 2026.2.2 (the release for
# go1.26) and deadcode from golang.org/x/tools.
TOOLS := $(CURDIR)/.cache/tools
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION := v0.53.0
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)
DEADCODE := $(TOOLS)/deadcode-$(DEADCODE_VERSION)

.PHONY: all build unit lint test test-podman test-vm integration demo bench clean install

all: build

build:
	$(GO) build -tags '$(GOTAGS)' -o bin/burrow ./cmd/burrow

# Unit tests: pure logic, beside the code; with the race detector, since
# the API service runs the engine from many goroutines.
unit:
	$(GO) test -race -tags '$(GOTAGS)' $$($(GO) list ./... | grep -v /tests$$)

# gofmt, vet, staticcheck (its default checks) and no unreachable function
# (hack/deadcode.sh says which callers count).
lint: $(STATICCHECK) $(DEADCODE)
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags '$(GOTAGS)' ./...
	$(STATICCHECK) -tags '$(GOTAGS)' ./...
	DEADCODE=$(DEADCODE) hack/deadcode.sh

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS)/staticcheck $@

$(DEADCODE):
	GOBIN=$(TOOLS) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)
	mv $(TOOLS)/deadcode $@

# The whole suite: test bed, unit tests, end-to-end tests as unprivileged
# users. The registry and pause processes are stopped whatever the outcome.
test:
	hack/testbed.sh setup
	@rc=0; \
	$(MAKE) --no-print-directory unit || rc=1; \
	hack/testbed.sh integration || rc=1; \
	hack/testbed.sh stop; \
	exit $$rc

# podman's own system tests against bin/burrow, with a floor of passes
# (hack/test-podman.sh, hack/podman-floor.txt). As root.
test-podman: build
	hack/test-podman.sh

# cgroup v2 limits in a guest with systemd (see hack/test-vm.sh).
test-vm:
	hack/test-vm.sh

demo:
	hack/testbed.sh setup
	@rc=0; hack/testbed.sh demo || rc=$$?; hack/testbed.sh stop; exit $$rc

bench:
	hack/testbed.sh setup
	@rc=0; hack/testbed.sh bench || rc=$$?; hack/testbed.sh stop; exit $$rc

# Without root: the binary, completions and contrib files under $(PREFIX).
install: build
	install -D -m 0755 bin/burrow $(DESTDIR)$(PREFIX)/bin/burrow
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d \
		$(DESTDIR)$(PREFIX)/share/burrow
	bin/burrow completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/burrow
	bin/burrow completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_burrow
	bin/burrow completion fish >$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/burrow.fish
	cp -r contrib $(DESTDIR)$(PREFIX)/share/burrow/

clean:
	-hack/testbed.sh stop
	rm -rf bin
