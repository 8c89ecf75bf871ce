#!/usr/bin/env bash
# Re-fetches the dashboard's vendored npm libraries from the npm registry, checks each
# tarball against the integrity pinned here, and copies the files the dashboard embeds
# into crates/lifeline-web/assets/vendor/<package>/ with the licence and a SOURCE.md.
#
#   tools/vendor-assets.sh           re-vendor (overwrites the files)
#   tools/vendor-assets.sh --check   fail if the committed files differ from the tarball's
#
# To upgrade: change VERSION and INTEGRITY (`npm view cytoscape@X dist.integrity`), run,
# review the diff, and rerun the map's tests and the browser check.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
check=0
if [[ "${1:-}" == "--check" ]]; then check=1; fi

# package version integrity files-to-copy (path inside the tarball's package/ folder)
vendor() {
    local package="$1" version="$2" integrity="$3"
    shift 3
    local dest="$root/crates/lifeline-web/assets/vendor/$package"
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
    local tarball="$work/$package-$version.tgz"
    local got
    got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [[ "$got" != "$integrity" ]]; then
        echo "error: $package@$version: the tarball's integrity is $got, pinned $integrity" >&2
        return 1
    fi
    tar -xzf "$tarball" -C "$work"
    local url="https://registry.npmjs.org/$package/-/$package-$version.tgz"
    local files
    files="$(printf '`%s`, ' "$@")"
    local source
    source="$(cat <<SOURCE
# $package $version

Vendored from the npm registry by \`tools/vendor-assets.sh\` (rerun it to re-fetch and
check; \`--check\` compares without writing).

- package: \`$package\`
- version: \`$version\`
- tarball: <$url>
- integrity: \`$integrity\`
- licence: \`$(node -e 'console.log(require(process.argv[1]).license)' "$work/package/package.json")\` (see \`LICENSE\` here)
- files: ${files%, }
SOURCE
)"
    if [[ $check == 1 ]]; then
        local file status=0
        for file in "$@" LICENSE; do
            if ! cmp -s "$work/package/$file" "$dest/$(basename "$file")"; then
                echo "error: $dest/$(basename "$file") differs from $package@$version's $file" >&2
                status=1
            fi
        done
        if [[ "$source" != "$(cat "$dest/SOURCE.md")" ]]; then
            echo "error: $dest/SOURCE.md is out of date" >&2
            status=1
        fi
        return $status
    fi
    mkdir -p "$dest"
    local file
    for file in "$@" LICENSE; do
        cp "$work/package/$file" "$dest/$(basename "$file")"
    done
    printf '%s\n' "$source" >"$dest/SOURCE.md"
    echo "vendored $package@$version into ${dest#"$root"/}"
}

vendor cytoscape 3.35.0 \
    'sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g==' \
    dist/cytoscape.min.js
