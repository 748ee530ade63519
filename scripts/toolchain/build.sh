#!/usr/bin/env bash
# Builds the e2e/runtime toolchain from Go modules, at the versions pinned in versions.env:
# the Pulumi CLI, the Kubernetes provider plugin, etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl and kwok. Nothing prebuilt is downloaded: every binary is compiled here
# from modules served by the Go module proxy.
#
# Binaries, Go module and build caches live outside the clone, under
#   ${AIOS_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aios-infra/toolchain}
# keyed by tool and version, so a fresh clone on a warm machine builds nothing. Idempotent: a tool
# whose stamp file exists is skipped. Tools are built in parallel up to AIOS_TOOLCHAIN_JOBS (2).
#
# Usage: scripts/toolchain/build.sh [tool...]   (tools: pulumi kubernetes-provider kube etcd kwok
#                                                 command-provider; default: all required ones)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"

CACHE="${AIOS_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aios-infra/toolchain}"
JOBS="${AIOS_TOOLCHAIN_JOBS:-2}"
mkdir -p "$CACHE/logs" "$CACHE/work"

export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build"
export CGO_ENABLED=0
export GOFLAGS=-mod=mod
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
# The provider modules are fetched by pseudo-versions that the checksum database does not list;
# skip the database only for those module paths (everything else is still verified).
export GONOSUMDB="github.com/pulumi/pulumi-kubernetes/provider,github.com/pulumi/pulumi-command/provider"

log() { printf '[toolchain] %s\n' "$*"; }

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "[toolchain] error: '$1' is required on PATH (install: $2)" >&2
    exit 1
  }
}
require_cmd go "the Go toolchain"
require_cmd jq "apt-get install -y jq"
require_cmd flock "apt-get install -y util-linux"

# run TOOL DESCRIPTION CMD... — runs one build command, logging to the tool's log file, and fails
# naming the tool and the command.
run() {
  local tool="$1"
  shift
  if ! "$@" >>"$CACHE/logs/$tool.log" 2>&1; then
    echo "[toolchain] error: building $tool failed: command '$*' (cwd $(pwd)); last lines of $CACHE/logs/$tool.log:" >&2
    tail -n 25 "$CACHE/logs/$tool.log" >&2
    return 1
  fi
}

# wrapper DIR — a fresh, empty wrapper module in DIR (fails loudly rather than run elsewhere)
wrapper() {
  rm -rf "$1" || return 1
  mkdir -p "$1" || return 1
  cd "$1" || return 1
  go mod init example.invalid/aios-toolchain >/dev/null 2>&1 || {
    echo "[toolchain] error: 'go mod init' failed in $1" >&2
    return 1
  }
}

# copy_replaces TOOL MODULE@VERSION — repeat the non-relative replace directives of a dependency's
# go.mod in the current wrapper (Go ignores a dependency's replaces; relative ones are dropped).
copy_replaces() {
  local gomod
  gomod="$(go mod download -json "$2" | jq -r .GoMod)"
  go mod edit -json "$gomod" |
    jq -r '.Replace // [] | .[] | select(.New.Version != null) |
      "\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=\(.New.Path)@\(.New.Version)"' |
    while read -r r; do run "$1" go mod edit -replace "$r"; done
}

build_pulumi() {
  local v="$PULUMI_VERSION" out="$CACHE/pulumi-$PULUMI_VERSION"
  wrapper "$CACHE/work/pulumi-$v"
  copy_replaces pulumi "github.com/pulumi/pulumi/pkg/v3@v$v"
  copy_replaces pulumi "github.com/pulumi/pulumi/sdk/v3@v$v"
  run pulumi go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$v" "github.com/pulumi/pulumi/sdk/v3@v$v"
  run pulumi go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$out/bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_kubernetes_provider() {
  local v="$K8S_PROVIDER_VERSION" out="$CACHE/kubernetes-provider-$K8S_PROVIDER_VERSION"
  local mod="github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_PSEUDO" src dir
  mkdir -p "$CACHE/work" && cd "$CACHE/work"
  run kubernetes-provider go mod download "$mod"
  src="$(go mod download -json "$mod" | jq -r .Dir)"
  dir="$CACHE/work/kubernetes-provider-$v"
  rm -rf "$dir" && cp -r "$src" "$dir" && chmod -R u+w "$dir" && cd "$dir"
  # The module's go.mod points its own Go SDK at ../sdk; use the released sdk/v4 module instead.
  run kubernetes-provider go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 \
    -require "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$v"
  run kubernetes-provider go mod tidy
  # schema-embed.json and terraform-mapping-embed.json are generated (gitignored upstream).
  (cd cmd/pulumi-resource-kubernetes && VERSION="$v" run kubernetes-provider go run generate.go)
  run kubernetes-provider go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$v" \
    -o "$out/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
}

build_command_provider() {
  local v="$COMMAND_PROVIDER_VERSION" out="$CACHE/command-provider-$COMMAND_PROVIDER_VERSION"
  wrapper "$CACHE/work/command-provider-$v"
  run command-provider go get -tool \
    "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command@$COMMAND_PROVIDER_PSEUDO"
  run command-provider go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$v" \
    -o "$out/bin/" github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command
}

build_kube() {
  local v="$KUBE_VERSION" out="$CACHE/kube-$KUBE_VERSION" staging minor
  minor="$(echo "$v" | cut -d. -f2)"
  wrapper "$CACHE/work/kube-$v"
  # k8s.io/kubernetes requires every staging module at v0.0.0; pin each to its release.
  staging="$(go mod download -json "k8s.io/kubernetes@v$v" | jq -r .GoMod |
    xargs grep -oE '^\s*k8s\.io/[a-z0-9-]+ v0\.0\.0(\s|$)' | awk '{print $1}' | sort -u)"
  for m in $staging; do run kube go mod edit -replace "$m=$m@v0.${v#*.}"; done
  local pkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
  # shellcheck disable=SC2086
  run kube go get -tool $(for p in $pkgs; do echo "$p@v$v"; done)
  local cv="k8s.io/component-base/version" ldflags="-s -w"
  for p in $cv k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=v$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  # shellcheck disable=SC2086
  run kube go build -trimpath -ldflags "$ldflags" -o "$out/bin/" $pkgs
}

build_etcd() {
  local v="$ETCD_VERSION" out="$CACHE/etcd-$ETCD_VERSION"
  wrapper "$CACHE/work/etcd-$v"
  run etcd go get -tool "go.etcd.io/etcd/server/v3@v$v"
  run etcd go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3
}

build_kwok() {
  local v="$KWOK_VERSION" out="$CACHE/kwok-$KWOK_VERSION" dir
  wrapper "$CACHE/work/kwok-$v"
  run kwok go get -tool "sigs.k8s.io/kwok/cmd/kwok@v$v"
  run kwok go build -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$v" \
    -o "$out/bin/kwok" sigs.k8s.io/kwok/cmd/kwok
  # kwok has no built-in stages; keep the module's default stage files beside the binary.
  dir="$(go mod download -json "sigs.k8s.io/kwok@v$v" | jq -r .Dir)"
  mkdir -p "$out/stages" && cp -r "$dir/kustomize/stage/." "$out/stages/" && chmod -R u+w "$out/stages"
}

# tool name -> "version builder"
declare -A TOOL_VERSION=(
  [pulumi]=$PULUMI_VERSION [kubernetes-provider]=$K8S_PROVIDER_VERSION [kube]=$KUBE_VERSION
  [etcd]=$ETCD_VERSION [kwok]=$KWOK_VERSION [command-provider]=$COMMAND_PROVIDER_VERSION
)
# What the stamp records: the exact module versions a tool was built from. A change (a new
# pseudo-version for the same release) makes the tool build again.
declare -A TOOL_SOURCE=(
  [pulumi]=$PULUMI_VERSION [kubernetes-provider]=$K8S_PROVIDER_PSEUDO [kube]=$KUBE_VERSION
  [etcd]=$ETCD_VERSION [kwok]=$KWOK_VERSION [command-provider]=$COMMAND_PROVIDER_PSEUDO
)
declare -A BUILDER=(
  [pulumi]=build_pulumi [kubernetes-provider]=build_kubernetes_provider [kube]=build_kube
  [etcd]=build_etcd [kwok]=build_kwok [command-provider]=build_command_provider
)
# The command provider is optional: the pinned release is not served by the module proxy here.
REQUIRED=(kubernetes-provider kube pulumi kwok etcd)

build_one() {
  local tool="$1" v="${TOOL_VERSION[$1]}" dir="$CACHE/$1-${TOOL_VERSION[$1]}" start
  local source="${TOOL_SOURCE[$1]}"
  # One build of a tool at a time on this machine (two clones or sessions may run this at once).
  exec 9>"$CACHE/logs/$tool.lock"
  flock 9
  if [[ -f "$dir/.built" && "$(head -n1 "$dir/.built")" == "$source" ]]; then
    log "$tool $v: cached ($dir)"
    return 0
  fi
  start=$(date +%s)
  log "$tool $v: building (log: $CACHE/logs/$tool.log)"
  : >"$CACHE/logs/$tool.log"
  rm -rf "$dir"
  if ! (set -e; "${BUILDER[$tool]}"); then
    rm -rf "$dir" # never leave a half-built tool that looks usable
    echo "[toolchain] error: $tool $v failed (log: $CACHE/logs/$tool.log)" >&2
    return 1
  fi
  printf '%s\nbuilt %s\n' "$source" "$(date -u +%FT%TZ)" >"$dir/.built"
  log "$tool $v: built in $(($(date +%s) - start)) s"
}

main() {
  local tools=("$@") failed=() pids=() names=() t
  [[ ${#tools[@]} -gt 0 ]] || tools=("${REQUIRED[@]}")
  for t in "${tools[@]}"; do
    [[ -n "${BUILDER[$t]:-}" ]] || { echo "[toolchain] error: unknown tool '$t' (known: ${!BUILDER[*]})" >&2; exit 2; }
  done
  local start
  start=$(date +%s)
  for t in "${tools[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n || true; done
    (build_one "$t") &
    pids+=($!)
    names+=("$t")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${names[$i]}")
  done
  if [[ ${#failed[@]} -gt 0 ]]; then
    echo "[toolchain] error: failed to build: ${failed[*]} (logs in $CACHE/logs)" >&2
    exit 1
  fi
  log "ready in $(($(date +%s) - start)) s; cache $CACHE ($(du -sh "$CACHE" 2>/dev/null | cut -f1))"
}

main "$@"
