#!/usr/bin/env bash
# Makes sure every binary the tests judge with is present.
#
# Built with Go from the Go module proxy, at the versions pinned below, into .tools/bin
# (git-ignored; a later run reuses what is there and rebuilds only a tool whose pin changed):
#   prometheus, promtool   Prometheus 3, the live loop and `promtool check/test` on every artifact
#   alertmanager, amtool   the current Alertmanager, the live loop and `amtool check-config / config routes test`
#   sloth                  the byte-identity test of native SLO rules
#   pint                   the rule linter, offline over every rule file and online against the live loop
#   otelcol                an OpenTelemetry Collector with the components the generated collector config
#                          uses (core and contrib at one release), for `otelcol validate`
# From Debian: `prometheus` (2.42), the Prometheus 2 target (promtool and the server on PATH), and
# `prometheus-blackbox-exporter`, which checks the generated probe modules and probes in the live loop.
#
# Run as root the Debian package is installed when missing; otherwise the one command to run is printed.
# Go (1.26 or later) must be on PATH. INFERMON_TOOLS_DIR moves the tools folder (the tests read it too).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_DIR="${INFERMON_TOOLS_DIR:-$PWD/.tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"

# name | module | module version | packages under the module | -X settings (the version each tool reports)
#   | how: `install` (go install PKG@VERSION), `copy` (go build in a copy of the module: for a module whose
#     version list the proxy refuses, which go install reads for deprecations, or whose go:embed needs
#     files its zip leaves out) or `collector` (see build_collector) | folders given a placeholder file for
#     go:embed (built web UIs: no UI here)
PINS=(
  "prometheus|github.com/prometheus/prometheus|v0.316.0|cmd/prometheus cmd/promtool|github.com/prometheus/common/version.Version=3.16.0|install|"
  "alertmanager|github.com/prometheus/alertmanager|v0.35.0|cmd/alertmanager cmd/amtool|github.com/prometheus/common/version.Version=0.35.0|copy|ui/app/dist"
  "sloth|github.com/slok/sloth|v0.16.0|cmd/sloth|github.com/slok/sloth/internal/info.Version=v0.16.0|install|"
  "pint|github.com/cloudflare/pint|v0.87.0|cmd/pint|main.version=v0.87.0|copy|"
  "otelcol|go.opentelemetry.io/collector/cmd/builder|v0.155.0|otelcol||collector|"
)

# Components of the collector build, at the release of the builder pin (core v1.x modules at its pair).
COLLECTOR_CORE_V1=v1.61.0
COLLECTOR_COMPONENTS=(
  "receivers|go.opentelemetry.io/collector/receiver/otlpreceiver"
  "processors|go.opentelemetry.io/collector/processor/batchprocessor"
  "processors|go.opentelemetry.io/collector/processor/memorylimiterprocessor"
  "processors|github.com/open-telemetry/opentelemetry-collector-contrib/processor/k8sattributesprocessor"
  "exporters|go.opentelemetry.io/collector/exporter/otlpexporter"
  "exporters|github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter"
  "connectors|github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
  "extensions|github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension"
)

debian() {
  local missing=()
  # Debian's prometheus package: promtool and the server, version 2.42, the Prometheus 2 target.
  command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
  # The blackbox exporter: `--config.check` of the generated modules and the live loop's probes.
  command -v prometheus-blackbox-exporter >/dev/null || missing+=(prometheus-blackbox-exporter)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "installing ${missing[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || return 1
  # The tests run their own servers on free ports: the package must not start its service. A policy-rc.d
  # that refuses every start does that, unless the machine already has one.
  local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=1
  [ "$own_policy" -eq 1 ] && rm -f "$policy"
  return "$rc"
}

# `go install MODULE/PKG@VERSION` for each package.
install_from_proxy() {
  local module=$1 version=$2 pkgs=$3 ldflags=$4 targets=() pkg
  for pkg in $pkgs; do targets+=("$module/$pkg@$version"); done
  GOBIN="$BIN" go install -ldflags="$ldflags" "${targets[@]}"
}

# `go build` in a writable copy of the module (its own go.mod and go.sum), each folder in $5 given a
# placeholder file so its go:embed compiles. The copy stays in the user's cache folder at a fixed path, so
# the Go build cache serves a rebuild from another clone on this machine.
build_from_copy() {
  local name=$1 module=$2 version=$3 pkgs=$4 ldflags=$5 embeds=$6 dir work tmp pkg targets=()
  work="${XDG_CACHE_HOME:-$HOME/.cache}/infermon-go-src/$name@$version"
  if [ ! -f "$work/go.mod" ]; then
    dir=$(cd /tmp && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { echo "go mod download $module@$version named no folder" >&2; return 1; }
    mkdir -p "$(dirname "$work")"
    tmp=$(mktemp -d "$work.XXXXXX")
    cp -r "$dir/." "$tmp/" && chmod -R u+w "$tmp" && rm -rf "$work" && mv "$tmp" "$work" || { rm -rf "$tmp"; return 1; }
  fi
  for d in $embeds; do
    mkdir -p "$work/$d"
    echo "Web UI assets are not built here; this binary serves the API only." >"$work/$d/NOT-BUILT.txt"
  done
  for pkg in $pkgs; do targets+=("./$pkg"); done
  (cd "$work" && GOWORK=off GOFLAGS=-buildvcs=false go build -ldflags="$ldflags" -o "$BIN/" "${targets[@]}")
}

# The collector's builder writes the main package for the listed components; the build is a plain
# `go get` + `go build` because the builder's own `go mod tidy` also fetches modules that only contrib's
# tests import, and the proxy does not serve all of them. Sources stay in the user's cache folder.
build_collector() {
  local version=$1 ldflags=$2 work kind module section entry modules=()
  work="${XDG_CACHE_HOME:-$HOME/.cache}/infermon-go-src/otelcol@$version"
  mkdir -p "$work"
  GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@$version" || return 1
  {
    printf 'dist:\n  name: otelcol\n  description: OpenTelemetry Collector for infermon tests\n  output_path: %s/src\n' "$work"
    for section in receivers processors exporters connectors extensions; do
      printf '%s:\n' "$section"
      for entry in "${COLLECTOR_COMPONENTS[@]}"; do
        IFS='|' read -r kind module <<<"$entry"
        [ "$kind" = "$section" ] && printf '  - gomod: %s %s\n' "$module" "$version"
      done
    done
  } >"$work/manifest.yaml"
  rm -rf "$work/src"
  "$work/bin/builder" --config "$work/manifest.yaml" --skip-get-modules --skip-compilation >"$work/builder.log" 2>&1 ||
    { cat "$work/builder.log" >&2; return 1; }
  for entry in "${COLLECTOR_COMPONENTS[@]}"; do modules+=("${entry#*|}@$version"); done
  modules+=("go.opentelemetry.io/collector/otelcol@$version" "go.opentelemetry.io/collector/service@$version")
  for module in envprovider fileprovider httpprovider httpsprovider yamlprovider; do
    modules+=("go.opentelemetry.io/collector/confmap/provider/$module@$COLLECTOR_CORE_V1")
  done
  (
    cd "$work/src" &&
      printf 'module otelcol\n\ngo 1.25\n' >go.mod &&
      GOWORK=off go get "${modules[@]}" &&
      GOWORK=off GOFLAGS='-mod=mod -buildvcs=false' go build -trimpath -ldflags="$ldflags" -o "$BIN/otelcol" .
  )
}

go_tools() {
  if ! command -v go >/dev/null; then
    echo "Go 1.26 or later is needed on PATH to build the pinned judges into $BIN" >&2
    return 1
  fi
  mkdir -p "$BIN" "$STAMPS"
  local pin name module version pkgs xflags how embeds stamp ldflags ready pkg start
  for pin in "${PINS[@]}"; do
    IFS='|' read -r name module version pkgs xflags how embeds <<<"$pin"
    stamp="$STAMPS/$name"
    ready=1
    for pkg in $pkgs; do [ -x "$BIN/${pkg##*/}" ] || ready=0; done
    if [ "$ready" -eq 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pin" ]; then continue; fi
    ldflags="-s -w"
    for x in $xflags; do ldflags+=" -X $x"; done
    echo "building $name ($module $version) into $BIN" >&2
    start=$SECONDS
    rm -f "$stamp"
    if [ "$how" = copy ]; then
      build_from_copy "$name" "$module" "$version" "$pkgs" "$ldflags" "$embeds" || { echo "building $name failed" >&2; return 1; }
    elif [ "$how" = collector ]; then
      build_collector "$version" "$ldflags" || { echo "building $name failed" >&2; return 1; }
    else
      install_from_proxy "$module" "$version" "$pkgs" "$ldflags" || { echo "building $name failed" >&2; return 1; }
    fi
    echo "$pin" >"$stamp"
    echo "built $name in $((SECONDS - start))s" >&2
  done
}

status=0
debian || status=1
go_tools || status=1
exit "$status"
