# Emily's Pastries: every command a user types. `make` alone lists them.
#
# Variables (set on the command line, e.g. `make synth STAGE=01-monolith`):
#   STAGE            the stage a target works on, e.g. 01-monolith (`make` lists them)
#   PKGS             the packages make test and make lint cover (default ./...)
#   GOTESTFLAGS      extra flags for go test, e.g. -short (skips the CDK synth tests) or -run X
#   CDK_FLAGS        extra flags for cdk deploy/destroy, e.g. --require-approval=never or --force
#   CDK_CLI_VERSION  the aws-cdk CLI that `make deploy` installs into .cdk/
#   KITCHEN_URL, KITCHEN_API_KEY  make deploy's kitchen tablet service for 04 and 05 (tickets go to KITCHEN_URL/tickets)
#   PROFILE          make load's traffic profile: smoke (default), steady, morning-rush, holiday-spike
#   SCALE, SEED      make load's rate multiplier (default 1) and seed (default 7)
#   GRACE            make load's wait for asynchronous orders to finish (default: the profile's)
#   TARGET           make load against a deployed API (https://…/prod) instead of the emulator; for 05-global each region's: eu-west-1=https://…/prod,us-east-1=https://…/prod
#   OUT              make load's result file (default results/<stage>.<profile>.json; make demo alone writes docs/results);
#                    make tune's directory (default results/tune; the committed ones: OUT=docs/results/tune)
#   FAULT            make load's and make local's faults from the start, e.g. payment@latency=2s (docs/emulator.md, Faults)
#   UI               make live's dashboard address (default 127.0.0.1:8080)
#   BENCHTIME        make bench's orders per stage (default 100x)
#   CALLTIME         make bench's DynamoDB calls per size and operation (default 2000x: fewer are too
#                    little CPU to measure a share)
#   ADDR             make local's loopback address (default 127.0.0.1:4566)
#   DEMO_PROFILES    the profiles make demo runs at every stage (default smoke morning-rush)
#   DEMO_SIDE_BY_SIDE  of those, the light ones it runs for every stage at once (default smoke)
#   FUNCTION         make tune's function: its directory under STAGE/functions, e.g. payment-worker
#   MEMORY, N        make tune's memory sizes (default 128,256,512,1024,1769,3008) and invocations per size (default 10)
#   SCALES           the scales make sweep runs PROFILE at (default 0.5 1 1.5 2 3; PROFILE defaults to morning-rush there)
#   SEEDS            the seeds make spread runs PROFILE at (default 1 2 3 4 5; PROFILE defaults to morning-rush there)

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
GO ?= go
PKGS ?= ./...
GOLANGCI_LINT ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GOTESTFLAGS ?=
CDK_FLAGS ?=
CDK_CLI_VERSION ?= 2.1148.1

# A stage is a directory NN-name holding a CDK app (cdk.json); it runs offline through its cmd/offline.
STAGES := $(patsubst %/cdk.json,%,$(sort $(wildcard [0-9][0-9]-*/cdk.json)))
OFFLINE_STAGES := $(patsubst %/cmd/offline/main.go,%,$(sort $(wildcard [0-9][0-9]-*/cmd/offline/main.go)))
STAGE ?=

# Offline runs (make local, load, demo).
PROFILE ?= smoke
SEED ?= 7
SCALE ?= 1
TARGET ?=
GRACE ?=
FAULT ?=
UI ?= 127.0.0.1:8080
OUT ?=
ADDR ?= 127.0.0.1:4566
DEMO_PROFILES ?= smoke morning-rush
# Profiles light enough that make demo runs every stage at once (they use a tenth of a core each).
DEMO_SIDE_BY_SIDE ?= smoke
SCALES ?= 0.5 1 1.5 2 3
SEEDS ?= 1 2 3 4 5
# make sweep's profile: PROFILE when given on the command line, else the morning rush.
SWEEP_PROFILE := $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),morning-rush)
BIN := $(ROOT)/.bin
# The offline binaries are built with -trimpath: they then hold no path of the checkout, and a
# fresh clone reuses what an earlier clone compiled (make demo's five builds: 36 s cold, about
# 10 s from the cache, measured on this 2-core machine).
BUILD := $(GO) build -trimpath

# The CDK CLI lives outside the Go packages: a node_modules inside them would break `go test ./...`
# (Go skips directories starting with a dot).
CDK_DIR := $(ROOT)/.cdk
CDK := $(CDK_DIR)/node_modules/.bin/cdk
CDK_STAMP := $(CDK_DIR)/installed-$(CDK_CLI_VERSION)

# jsii, under the CDK's Go bindings, prints a large end-of-life banner on every run with Node 20.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20

# What `cdk synth` passes from a stage's cdk.json, plus bundling off: no Go cross-compile, no
# Docker, no network. The infra tests read this line (shared/cdktest) and synthesize with it.
SYNTH_CONTEXT := {"aws:cdk:enable-path-metadata":true,"aws:cdk:enable-asset-metadata":true,"aws:cdk:version-reporting":false,"aws:cdk:bundling-stacks":[]}

# $(call require-stage) stops with one line when STAGE is missing or unknown.
require-stage = $(if $(filter $(STAGE),$(STAGES)),,$(error $(if $(STAGE),unknown STAGE=$(STAGE),STAGE is not set); valid stages: $(STAGES)))

# Check STAGE before anything runs, prerequisites included (deploy would install the CDK CLI first).
ifneq ($(filter synth golden deploy destroy bootstrap local live load sweep spread screenshots,$(MAKECMDGOALS)),)
$(call require-stage)
endif

.PHONY: help demo sweep spread screenshots test local live load synth golden deploy destroy bootstrap lint clean

help: ## Show this list
	@echo "Emily's Pastries: serverless architecture evolution in five stages."
	@echo
	@echo "Usage: make <target> [STAGE=<stage>]    stages: $(STAGES)"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

demo: ## Run every stage offline under the same load; write docs/results and print the comparison
	@mkdir -p $(BIN) docs/results
	@for s in $(OFFLINE_STAGES); do echo "building $$s" >&2; $(BUILD) -o $(BIN)/$$s ./$$s/cmd/offline; done
	@rm -f docs/results/*.json   # the report reads only this run's results
	@for p in $(DEMO_PROFILES); do \
		if [[ " $(DEMO_SIDE_BY_SIDE) " == *" $$p "* ]]; then \
			echo "$$p: every stage at once (a light profile; each result records the machine's CPU, and the report flags a CPU-bound run)" >&2; \
			pids=(); for s in $(OFFLINE_STAGES); do \
				$(BIN)/$$s load -quiet -profile $$p -seed $(SEED) -out docs/results/$$s.$$p.json >/dev/null & pids+=($$!); \
			done; \
			for pid in $${pids[@]}; do wait $$pid || exit 1; done; \
		else \
			for s in $(OFFLINE_STAGES); do \
				$(BIN)/$$s load -profile $$p -seed $(SEED) -out docs/results/$$s.$$p.json >/dev/null || exit 1; \
			done; \
		fi; \
	done
	$(GO) run -trimpath ./shared/cmd/report -results docs/results -docs docs -root . -table

sweep: ## Run STAGE's PROFILE at each of SCALES; chart failure, abandonment and p99 against offered orders/s in docs/results.md
	@mkdir -p $(BIN) docs/results/sweep
	$(BUILD) -o $(BIN)/$(STAGE) ./$(STAGE)/cmd/offline
	@for sc in $(SCALES); do echo "$(STAGE) $(SWEEP_PROFILE) at scale $$sc" >&2; \
		$(BIN)/$(STAGE) load -profile $(SWEEP_PROFILE) -seed $(SEED) -scale $$sc -out docs/results/sweep/$(STAGE).$(SWEEP_PROFILE).x$$sc.json >/dev/null || exit 1; \
	done
	$(GO) run ./shared/cmd/report -results docs/results -docs docs -root .

spread: ## Run STAGE's PROFILE at each of SEEDS; results.md shows the lowest and highest of each figure (the run-to-run spread)
	@mkdir -p $(BIN) docs/results/spread
	$(BUILD) -o $(BIN)/$(STAGE) ./$(STAGE)/cmd/offline
	@for seed in $(SEEDS); do echo "$(STAGE) $(SWEEP_PROFILE) seed $$seed" >&2; \
		$(BIN)/$(STAGE) load -profile $(SWEEP_PROFILE) -seed $$seed -out docs/results/spread/$(STAGE).$(SWEEP_PROFILE).s$$seed.json >/dev/null || exit 1; \
	done
	$(GO) run ./shared/cmd/report -results docs/results -docs docs -root .

# The instructor demos make screenshots rehearses: 03's crisis and 04's cure.
DEMO_SCRIPT_03-crisis := crisis
DEMO_SCRIPT_04-refactor := cure

screenshots: ## Rehearse STAGE's instructor demo (03, 04) on make live in headless Chromium: screenshots and timings into docs/demo/STAGE
	@test -n "$(DEMO_SCRIPT_$(STAGE))" || { echo "no instructor demo for $(STAGE); there are: 03-crisis 04-refactor" >&2; exit 1; }
	@mkdir -p $(BIN)
	$(BUILD) -o $(BIN)/$(STAGE) ./$(STAGE)/cmd/offline
	$(BUILD) -o $(BIN)/screenshots ./shared/cmd/screenshots
	@$(BIN)/$(STAGE) live -addr 127.0.0.1:4599 -ui 127.0.0.1:8099 -seed $(SEED) >/dev/null 2>&1 & live=$$!; \
	trap 'kill $$live 2>/dev/null; wait $$live 2>/dev/null' EXIT; \
	for i in $$(seq 100); do curl -sf http://127.0.0.1:8099/api/topology >/dev/null && break; sleep 0.2; done; \
	$(BIN)/screenshots -url http://127.0.0.1:8099 -script $(DEMO_SCRIPT_$(STAGE)) -out docs/demo/$(STAGE)

test: ## Run all tests (the CDK synth tests need node)
	$(GO) test $(GOTESTFLAGS) $(PKGS)

local: ## Serve STAGE offline on 127.0.0.1:4566 (ADDR=) for curl and the AWS CLI [FAULT=payment@latency=2s]; Ctrl-C stops
	$(GO) run ./$(STAGE)/cmd/offline local -addr $(ADDR) -seed $(SEED) $(if $(FAULT),-fault '$(FAULT)')

live: ## local, plus the instructor's dashboard on http://127.0.0.1:8080 (UI=): topology, live metrics, load and faults
	$(GO) run ./$(STAGE)/cmd/offline live -addr $(ADDR) -ui $(UI) -seed $(SEED) $(if $(FAULT),-fault '$(FAULT)')

load: ## Drive STAGE with PROFILE [SCALE=1.5] [SEED=7] [FAULT=payment@throttle,from=10s,for=30s] [GRACE=180s] [TARGET=https://…] [OUT=path]
	$(GO) run ./$(STAGE)/cmd/offline load -profile $(PROFILE) -seed $(SEED) -scale $(SCALE) $(if $(FAULT),-fault '$(FAULT)') $(if $(GRACE),-grace $(GRACE)) $(if $(TARGET),-target $(TARGET)) $(if $(OUT),-out $(OUT))

.PHONY: tune
tune: ## Run STAGE's FUNCTION at several memory sizes (CPU model on) [MEMORY=128,256,...] [N=10]: duration, cost, a chart in results/tune [OUT=dir]
	$(call require-stage)
	$(if $(FUNCTION),,$(error FUNCTION is not set: make tune STAGE=$(STAGE) FUNCTION=<name>; the stage's functions: $(notdir $(wildcard $(STAGE)/functions/*))))
	$(GO) run ./$(STAGE)/cmd/offline tune -function $(FUNCTION) -seed $(SEED) -out $(or $(OUT),results/tune) $(if $(MEMORY),-memory $(MEMORY)) $(if $(N),-n $(N))

# make bench: the stages with a cmd/offline/bench_test.go, how many orders each places, and how
# many DynamoDB calls BenchmarkDynamoDBCall (01) makes of each kind.
BENCH_STAGES := $(patsubst %/cmd/offline/bench_test.go,%,$(sort $(wildcard [0-9][0-9]-*/cmd/offline/bench_test.go)))
BENCHTIME ?= 100x
CALLTIME ?= 2000x

.PHONY: bench
bench: ## CPU (the emulator's and the handlers'), allocations and emulated calls per order of each stage in process (zero latency model), and the emulator's share of a DynamoDB call [BENCHTIME=100x CALLTIME=2000x]
	@for s in $(BENCH_STAGES); do echo "$$s" >&2; \
		$(GO) test -run '^$$' -bench 'Order$$' -benchtime $(BENCHTIME) ./$$s/cmd/offline | grep -E '^Benchmark' | sed "s|^Benchmark|$$s |"; \
	done
	@echo "01-monolith: one DynamoDB call through the SDK and the emulator, $(CALLTIME) of each" >&2
	@$(GO) test -run '^$$' -bench 'DynamoDBCall' -benchtime $(CALLTIME) ./01-monolith/cmd/offline | grep -E '^Benchmark' | sed "s|^Benchmark|01-monolith |"

synth: ## Print STAGE's CloudFormation template (offline, no bundling)
	@out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	cd $(STAGE) && CDK_OUTDIR="$$out" CDK_CONTEXT_JSON='$(SYNTH_CONTEXT)' $(GO) run ./infra >&2; \
	cat "$$out"/*.template.json

golden: ## Regenerate STAGE's committed template (infra/golden/template.json; 05-global: one per region) [needs Node]
	$(GO) test ./$(STAGE)/infra -run Golden -count=1 -update

deploy: $(CDK_STAMP) ## Deploy STAGE to your AWS account with the CDK CLI (its payment provider first)
	@params=""; \
	if grep -qs '"KitchenDisplayUrl"' $(STAGE)/infra/golden/*.json; then \
		if [ -z "$(KITCHEN_URL)" ] || [ -z "$(KITCHEN_API_KEY)" ]; then \
			echo "$(STAGE) sends kitchen tickets to the stores' tablet service: make deploy STAGE=$(STAGE) KITCHEN_URL=https://… KITCHEN_API_KEY=… (8 characters or more)." >&2; \
			echo "Any HTTPS endpoint that accepts POST /tickets will do (a request bin to watch them); without a real kitchen, orders wait in 'preparing' until you mark them ready: see $(STAGE)/README.md, deploy notes." >&2; \
			exit 2; \
		fi; \
		params="$$params --parameters KitchenDisplayUrl=$(KITCHEN_URL) --parameters KitchenDisplayApiKey=$(KITCHEN_API_KEY)"; \
	fi; \
	if grep -qs '"PaymentProviderUrl"' $(STAGE)/infra/golden/*.json; then \
		$(MAKE) deploy-provider; \
		url=$$(node -p 'require(process.argv[1]).EmilysPastriesPaymentProvider.PaymentProviderUrl' $(CDK_DIR)/outputs/payment-provider.json); \
		echo "$(STAGE) calls the payment provider at $$url"; \
		params="$$params --parameters PaymentProviderUrl=$$url"; \
	fi; \
	cd $(STAGE) && $(CDK) deploy --all --outputs-file $(CDK_DIR)/outputs/$(STAGE).json $$params $(CDK_FLAGS)

.PHONY: deploy-provider
deploy-provider: $(CDK_STAMP) ## Deploy the payment provider that stages from 02-split call, for AWS runs
	cd shared/payment && $(CDK) deploy --outputs-file $(CDK_DIR)/outputs/payment-provider.json $(CDK_FLAGS)

destroy: $(CDK_STAMP) ## Delete STAGE's stacks from your AWS account (05-global: both regions)
	cd $(STAGE) && $(CDK) destroy --all $(CDK_FLAGS)

.PHONY: destroy-provider
destroy-provider: $(CDK_STAMP) ## Delete the payment provider's stack (a public function URL) once no stage uses it
	cd shared/payment && $(CDK) destroy $(CDK_FLAGS)

.PHONY: prepare
prepare: ## Fetch everything a workshop needs ahead (Go modules, the CDK CLI) and build every stage, so the room needs no network
	$(GO) mod download
	@mkdir -p $(BIN)
	@for s in $(OFFLINE_STAGES); do echo "building $$s" >&2; $(BUILD) -o $(BIN)/$$s ./$$s/cmd/offline; done
	@if command -v node >/dev/null; then $(MAKE) $(CDK_STAMP); else \
		echo "node is not on PATH: skipped the CDK CLI. Everything offline works without it; synthesizing, the CDK tests and deploying need Node.js >= 20 (docs/setup.md)." >&2; fi

bootstrap: $(CDK_STAMP) ## Prepare your AWS account and region for CDK (once)
	cd $(STAGE) && $(CDK) bootstrap $(CDK_FLAGS)

lint: ## go vet, a gofmt check and golangci-lint (.golangci.yml; fetched from the Go module proxy on first use)
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' $(PKGS))); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed (run gofmt -w):" >&2; echo "$$unformatted" >&2; exit 1; fi
	$(GO) run $(GOLANGCI_LINT) run $(PKGS)

clean: ## Remove CDK output and the CDK CLI
	rm -rf $(CDK_DIR) $(BIN) $(wildcard [0-9][0-9]-*/cdk.out) shared/payment/cdk.out

$(CDK_STAMP):
	@command -v node >/dev/null || { echo "deploying needs Node.js >= 20 (node is not on PATH)" >&2; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
		{ echo "deploying needs Node.js >= 20, found $$(node --version)" >&2; exit 1; }
	npm install --prefix $(CDK_DIR) --no-audit --no-fund --loglevel=error aws-cdk@$(CDK_CLI_VERSION)
	@touch $@
